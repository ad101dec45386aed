/**
 * What each command accepts, in one table: the parser and the help text are both made from it,
 * so `COMMAND --help` can never drift from what the command really takes.
 */
import { parseArgs } from 'node:util';
import { UsageError } from './exit.js';

/** One option of a command. */
export interface OptionSpec {
  readonly name: string;
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  /** How the value is shown in help (`FILE`, `N`, ...); string options only. */
  readonly value?: string;
  readonly help: string;
}

/** One command of the CLI. */
export interface CommandSpec {
  readonly name: string;
  readonly summary: string;
  /** The positional argument, when the command takes one (`audit FILE`). */
  readonly positional?: { readonly name: string; readonly help: string };
  readonly options: readonly OptionSpec[];
  readonly examples: readonly string[];
}

const LOG_OPTIONS: readonly OptionSpec[] = [
  { name: 'log-level', type: 'string', value: 'LEVEL', help: 'error, warn, info or debug (over log.level and GENESYS_ENRICHER_LOG_LEVEL)' },
  { name: 'log-format', type: 'string', value: 'FORMAT', help: 'json, pretty or auto (over log.format and GENESYS_ENRICHER_LOG_FORMAT)' },
];

const CONFIG: OptionSpec = { name: 'config', short: 'c', type: 'string', value: 'FILE', help: 'the config file (YAML)' };
const HTTP_LISTEN: OptionSpec = { name: 'http-listen', type: 'string', value: 'HOST:PORT', help: 'health and metrics address over http.listen ("off" for none)' };

/** Every command, in the order the general help lists them. */
export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'run',
    summary: 'run the daemon against the org in the config file',
    options: [
      CONFIG,
      HTTP_LISTEN,
      { name: 'dry-run', type: 'boolean', help: 'shadow mode: do everything but write to Genesys; audit each decision as would-enrich' },
      ...LOG_OPTIONS,
    ],
    examples: ['genesys-enricher run --config /etc/genesys-enricher/config.yaml', 'genesys-enricher run -c config.yaml --dry-run --log-level debug'],
  },
  {
    name: 'sandbox',
    summary: 'run the daemon against the built-in sandbox org (no credentials needed)',
    options: [
      { name: 'port', type: 'string', value: 'N', help: 'port of the sandbox gateway (0: any free port)' },
      { name: 'rate', type: 'string', value: 'N', help: 'new conversations per second (default 2)' },
      { name: 'duration', type: 'string', value: 'S', help: 'stop after S seconds (default 0: until Ctrl-C)' },
      { name: 'audit-file', type: 'string', value: 'FILE', help: 'where the audit trail goes (default: a temporary file)' },
      HTTP_LISTEN,
      { name: 'serve-only', type: 'boolean', help: 'no daemon: start the org and the fake CRM, print export lines for run, check, inspect and audit' },
    ],
    examples: ['genesys-enricher sandbox --rate 5 --duration 30', 'genesys-enricher sandbox --serve-only   # prints export lines, runs until Ctrl-C'],
  },
  {
    name: 'check',
    summary: 'validate the config, resolve queues and flow, test topic permissions and the CRM, print a report',
    options: [CONFIG, { name: 'sample', type: 'string', value: 'PHONE|EMAIL', help: 'a customer identifier for a sample CRM lookup' }],
    examples: ['genesys-enricher check --config config.yaml --sample +15551230000'],
  },
  {
    name: 'inspect',
    summary: 'show field by field what would be written to a conversation',
    options: [
      CONFIG,
      { name: 'conversation', type: 'string', value: 'ID', help: 'the conversation id' },
      { name: 'write', type: 'boolean', help: 'also write it (otherwise nothing is written)' },
    ],
    examples: ['genesys-enricher inspect -c config.yaml --conversation 3c1c0f7e-...'],
  },
  {
    name: 'reload',
    summary: 'make a running daemon re-read its config (SIGHUP) and wait for the outcome; exit 1 when it was rejected',
    options: [
      { name: 'pid', type: 'string', value: 'PID', help: 'the daemon\'s process id (systemd: $MAINPID)' },
      { name: 'status-file', type: 'string', value: 'FILE', help: 'where the daemon writes the outcome (default: GENESYS_ENRICHER_STATUS_FILE, else $RUNTIME_DIRECTORY/reload-status.json)' },
      { name: 'timeout', type: 'string', value: 'S', help: 'seconds to wait for the outcome (default 60)' },
    ],
    examples: ['genesys-enricher reload --pid "$MAINPID"   # the unit\'s ExecReload'],
  },
  {
    name: 'audit',
    summary: 'read the audit trail, with a summary (dry runs included)',
    positional: { name: 'FILE', help: 'the audit file (audit.file in the config)' },
    options: [
      { name: 'follow', short: 'f', type: 'boolean', help: 'keep reading new lines as they are written' },
      { name: 'conversation', type: 'string', value: 'ID', help: 'only this conversation' },
      { name: 'since', type: 'string', value: 'TIME', help: 'only lines from TIME on (ISO time, or a duration such as 15m, 2h)' },
      { name: 'json', type: 'boolean', help: 'print the lines as JSON' },
    ],
    examples: ['genesys-enricher audit /var/log/genesys-enricher/audit.jsonl --since 1h'],
  },
];

/** The command named `name`, if there is one. */
export function commandSpec(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name);
}

/** The general usage text. */
export function generalHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`);
  return [
    'Usage: genesys-enricher <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Options:',
    '  -h, --help       show this help (or `genesys-enricher help COMMAND`, `COMMAND --help`)',
    '  -V, --version    print the version',
    '',
  ].join('\n');
}

/** The help of one command: usage line, options, examples. */
export function commandHelp(spec: CommandSpec): string {
  const optionText = (o: OptionSpec): string => `${o.short !== undefined ? `-${o.short}, ` : '    '}--${o.name}${o.value !== undefined ? ` ${o.value}` : ''}`;
  const rows = [...spec.options.map((o) => [optionText(o), o.help] as const), ['-h, --help', 'show this help'] as const];
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  return [
    `Usage: genesys-enricher ${spec.name}${spec.positional ? ` ${spec.positional.name}` : ''} [options]`,
    '',
    `${spec.summary[0]?.toUpperCase() ?? ''}${spec.summary.slice(1)}.`,
    '',
    ...(spec.positional ? [`  ${spec.positional.name.padEnd(width)}${spec.positional.help}`, ''] : []),
    'Options:',
    ...rows.map(([left, help]) => `  ${left.padEnd(width)}${help}`),
    '',
    spec.examples.length > 1 ? 'Examples:' : 'Example:',
    ...spec.examples.map((e) => `  ${e}`),
    '',
  ].join('\n');
}

/** What a command line gave a command. */
export interface ParsedCommand {
  readonly values: Readonly<Record<string, string | boolean | undefined>>;
  readonly positionals: readonly string[];
  /** `--help` or `-h` was among the arguments. */
  readonly help: boolean;
}

/** Parses a command's arguments strictly against its spec; a wrong one is a {@link UsageError}. */
export function parseCommand(spec: CommandSpec, args: readonly string[]): ParsedCommand {
  // `--help` anywhere wins, even beside options that would not parse.
  if (args.some((a) => a === '--help' || a === '-h')) return { values: {}, positionals: [], help: true };
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const o of spec.options) options[o.name] = { type: o.type, ...(o.short !== undefined && { short: o.short }) };
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...args], options, allowPositionals: spec.positional !== undefined, strict: true });
  } catch (err) {
    throw new UsageError(`${spec.name}: ${err instanceof Error ? err.message : 'bad arguments'} (see genesys-enricher ${spec.name} --help)`);
  }
  if (parsed.positionals.length > 1) throw new UsageError(`${spec.name}: expected one ${spec.positional?.name ?? 'argument'}`);
  const values: Record<string, string | boolean | undefined> = {};
  for (const [k, v] of Object.entries(parsed.values)) values[k] = typeof v === 'string' || typeof v === 'boolean' ? v : undefined;
  return { values, positionals: parsed.positionals, help: false };
}
