#!/usr/bin/env node
/**
 * The `genesys-enricher` command line. Exit 0 on success, 2 on usage or config errors (the message
 * names the file and the key), 1 on runtime failure. What each command accepts is in
 * cli/commands.ts, which also makes the help texts.
 */
// First import, for its side effect: signal handlers before anything slow (see the module).
import { LONG_RUNNING_COMMANDS } from './cli/early-signals.js';
import { commandHelp, commandSpec, generalHelp, parseCommand, type ParsedCommand } from './cli/commands.js';
import { describeFailure, EXIT, UsageError } from './cli/exit.js';
import { fatalIsJson, fatalLine } from './cli/fatal.js';
import { processIo } from './cli/io.js';
import { logOverrides, type LogOverrides } from './cli/log-options.js';
import { reloadStatusFile, STATUS_FILE_ENV } from './cli/reload-status.js';
import { ReportedFailure } from './cli/reported-failure.js';
import { buildInfo } from './ops/build-info.js';
// Commands are loaded when used: the Genesys SDK alone costs ~0.5 s and 35 MB, which `audit` never needs.

/** The log format the command asked for, known once its arguments parsed (for the fatal line). */
let askedLogFormat: LogOverrides['format'];

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) {
    process.stderr.write(generalHelp());
    return EXIT.usage;
  }
  if (command === '-h' || command === '--help') return print(generalHelp());
  if (command === '-V' || command === '--version') return print(`${buildInfo().version}\n`);
  if (command === 'help') {
    if (rest.length === 0) return print(generalHelp());
    const spec = commandSpec(rest[0] ?? '');
    if (!spec || rest.length > 1) throw new UsageError(`help: unknown command "${rest.join(' ')}"\n\n${generalHelp()}`);
    return print(commandHelp(spec));
  }
  const spec = commandSpec(command);
  if (!spec) throw new UsageError(`unknown command "${command}"\n\n${generalHelp()}`);
  const parsed = parseCommand(spec, rest);
  if (parsed.help) return print(commandHelp(spec));
  const { values } = parsed;
  switch (command) {
    case 'run': {
      const log = logOverrides({ level: str(values['log-level']), format: str(values['log-format']) }, process.env);
      askedLogFormat = log.format;
      const configFile = requireString(values.config, 'run needs --config FILE');
      const { runCommand } = await import('./cli/run-command.js');
      const statusFile = reloadStatusFile(process.env);
      return runCommand(configFile, {
        log,
        ...(statusFile !== undefined && { statusFile }),
        dryRun: values['dry-run'] === true,
        ...(typeof values['http-listen'] === 'string' && { httpListen: values['http-listen'] }),
      });
    }
    case 'check': {
      const { checkCommand } = await import('./cli/check-command.js');
      return checkCommand(
        {
          configFile: requireString(values.config, 'check needs --config FILE'),
          ...(typeof values.sample === 'string' && { sample: values.sample }),
        },
        processIo,
      );
    }
    case 'inspect': {
      const { inspectCommand } = await import('./cli/inspect-command.js');
      return inspectCommand(
        {
          configFile: requireString(values.config, 'inspect needs --config FILE'),
          conversationId: requireString(values.conversation, 'inspect needs --conversation ID'),
          write: values.write === true,
        },
        processIo,
      );
    }
    case 'audit':
      return audit(parsed);
    case 'reload': {
      const pid = int(values.pid, 'pid', 0);
      if (pid <= 0) throw new UsageError('reload needs --pid PID');
      const statusFile = str(values['status-file']) ?? reloadStatusFile(process.env);
      if (statusFile === undefined) throw new UsageError(`reload needs --status-file FILE (or ${STATUS_FILE_ENV}, or systemd's RUNTIME_DIRECTORY)`);
      const timeoutS = num(values.timeout, 'timeout', 60);
      if (timeoutS <= 0) throw new UsageError('--timeout must be above 0');
      const { reloadCommand } = await import('./cli/reload-command.js');
      return reloadCommand({ pid, statusFile, timeoutMs: timeoutS * 1000 }, processIo);
    }
    case 'sandbox': {
      // Checked before the command (and the SDK it loads) is imported: bad values exit 2 at once.
      const { sandboxOptionsFrom } = await import('./cli/sandbox-args.js');
      const opts = sandboxOptionsFrom(values);
      const { sandboxCommand } = await import('./cli/sandbox-command.js');
      return sandboxCommand(opts);
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

async function audit({ values, positionals }: ParsedCommand): Promise<number> {
  const { auditCommand } = await import('./cli/audit-command.js');
  return auditCommand(
    {
      file: requireString(positionals[0], 'audit needs the audit FILE'),
      follow: values.follow === true,
      json: values.json === true,
      ...(typeof values.conversation === 'string' && { conversationId: values.conversation }),
      ...(typeof values.since === 'string' && { since: values.since }),
    },
    processIo,
  );
}

function print(text: string): number {
  process.stdout.write(text);
  return EXIT.ok;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function requireString(v: unknown, message: string): string {
  if (typeof v !== 'string' || v === '') throw new UsageError(message);
  return v;
}

function num(v: unknown, name: string, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isFinite(n) || n < 0) throw new UsageError(`--${name} must be a non-negative number`);
  return n;
}

function int(v: unknown, name: string, fallback: number): number {
  const n = num(v, name, fallback);
  if (!Number.isInteger(n)) throw new UsageError(`--${name} must be a whole number`);
  return n;
}

/** After a long-running command ended, what a socket or timer left behind may hold the process. */
const EXIT_GRACE_MS = 1_000;

const argv = process.argv.slice(2);
const longRunning = argv[0] !== undefined && LONG_RUNNING_COMMANDS.has(argv[0]);
main(argv).then(
  (code) => {
    process.exitCode = code;
    if (longRunning) setTimeout(() => process.exit(code), EXIT_GRACE_MS).unref();
  },
  (err: unknown) => {
    if (err instanceof ReportedFailure) {
      process.exitCode = err.exitCode;
      return;
    }
    const { code, message } = describeFailure(err);
    // A daemon's last line follows its log format; interactive commands print plain text.
    const json = longRunning && fatalIsJson(askedLogFormat ?? logOverridesOrNone().format, process.stderr.isTTY);
    process.stderr.write(fatalLine(message, code, json));
    process.exitCode = code;
  },
);

/** The environment's log settings, or none when they are themselves the error. */
function logOverridesOrNone(): LogOverrides {
  try {
    return logOverrides({}, process.env);
  } catch {
    return {};
  }
}
