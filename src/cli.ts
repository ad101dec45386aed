#!/usr/bin/env node
/**
 * The `genesys-enricher` command line: `run`, `sandbox`. Exit 0 on success, 2 on usage or
 * config errors (the message names the file and the key), 1 on runtime failure.
 */
// First import, for its side effect: signal handlers before anything slow (see the module).
import { LONG_RUNNING_COMMANDS } from './cli/early-signals.js';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { describeFailure, EXIT, UsageError } from './cli/exit.js';
import { processIo } from './cli/io.js';
// Commands are loaded when used: the Genesys SDK alone costs ~0.5 s and 35 MB, which `audit` never needs.

const USAGE = `Usage: genesys-enricher <command> [options]

Commands:
  run --config FILE [--http-listen HOST:PORT]
                           run the daemon against the org in FILE
  sandbox [--port N] [--rate N] [--duration S] [--audit-file FILE] [--http-listen HOST:PORT] [--serve-only]
                           run the daemon against the built-in sandbox org (no credentials needed);
                           --serve-only: no daemon, print export lines for the other commands
  check --config FILE [--sample PHONE|EMAIL]
                           validate the config, resolve queues and flow, test topic permissions
                           and the CRM (with a sample lookup), print a report
  inspect --config FILE --conversation ID [--write]
                           show field by field what would be written to a conversation
  audit FILE [--follow] [--conversation ID] [--since TIME] [--json]
                           read the audit trail, with a summary

Options:
  -h, --help               show this help
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    process.stdout.write(USAGE);
    return command === undefined ? EXIT.usage : EXIT.ok;
  }
  switch (command) {
    case 'run': {
      const values = parse(rest, { config: { type: 'string', short: 'c' }, 'http-listen': { type: 'string' } });
      const { runCommand } = await import('./cli/run-command.js');
      return runCommand(requireString(values.config, 'run needs --config FILE'), {
        ...(typeof values['http-listen'] === 'string' && { httpListen: values['http-listen'] }),
      });
    }
    case 'check': {
      const values = parse(rest, { config: { type: 'string', short: 'c' }, sample: { type: 'string' } });
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
      const values = parse(rest, { config: { type: 'string', short: 'c' }, conversation: { type: 'string' }, write: { type: 'boolean' } });
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
    case 'audit': {
      const { values, positionals } = parseWithFile(rest, {
        follow: { type: 'boolean', short: 'f' },
        conversation: { type: 'string' },
        since: { type: 'string' },
        json: { type: 'boolean' },
      });
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
    case 'sandbox': {
      const values = parse(rest, {
        port: { type: 'string' },
        rate: { type: 'string' },
        duration: { type: 'string' },
        'audit-file': { type: 'string' },
        'http-listen': { type: 'string' },
        'serve-only': { type: 'boolean' },
      });
      // Checked before the command (and the SDK it loads) is imported: bad values exit 2 at once.
      const { sandboxOptionsFrom } = await import('./cli/sandbox-args.js');
      const opts = sandboxOptionsFrom(values);
      const { sandboxCommand } = await import('./cli/sandbox-command.js');
      return sandboxCommand(opts);
    }
    default:
      throw new UsageError(`unknown command "${command}"\n\n${USAGE}`);
  }
}

type ArgValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

function parse(args: string[], options: NonNullable<ParseArgsConfig['options']>): ArgValues {
  try {
    return parseArgs({ args, options, allowPositionals: false, strict: true }).values;
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : 'bad arguments');
  }
}

function parseWithFile(args: string[], options: NonNullable<ParseArgsConfig['options']>): { values: ArgValues; positionals: string[] } {
  try {
    const r = parseArgs({ args, options, allowPositionals: true, strict: true });
    if (r.positionals.length > 1) throw new UsageError('expected one FILE');
    return { values: r.values, positionals: r.positionals };
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(err instanceof Error ? err.message : 'bad arguments');
  }
}

function requireString(v: unknown, message: string): string {
  if (typeof v !== 'string' || v === '') throw new UsageError(message);
  return v;
}

/** After a long-running command ended, what a socket or timer left behind may hold the process. */
const EXIT_GRACE_MS = 1_000;

const argv = process.argv.slice(2);
main(argv).then(
  (code) => {
    process.exitCode = code;
    if (argv[0] !== undefined && LONG_RUNNING_COMMANDS.has(argv[0])) setTimeout(() => process.exit(code), EXIT_GRACE_MS).unref();
  },
  (err: unknown) => {
    const { code, message } = describeFailure(err);
    process.stderr.write(`genesys-enricher: ${message}\n`);
    process.exitCode = code;
  },
);
