#!/usr/bin/env node
/**
 * The `genesys-enricher` command line: `run`, `sandbox`. Exit 0 on success, 2 on usage or
 * config errors (the message names the file and the key), 1 on runtime failure.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { describeFailure, EXIT, UsageError } from './cli/exit.js';
import { runCommand } from './cli/run-command.js';
import { sandboxCommand } from './cli/sandbox-command.js';

const USAGE = `Usage: genesys-enricher <command> [options]

Commands:
  run --config FILE        run the daemon against the org in FILE
  sandbox [--port N] [--rate N] [--duration S]
                           run the daemon against the built-in sandbox org (no credentials needed)

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
      const values = parse(rest, { config: { type: 'string', short: 'c' } });
      if (typeof values.config !== 'string') throw new UsageError('run needs --config FILE');
      return runCommand(values.config);
    }
    case 'sandbox': {
      const values = parse(rest, {
        port: { type: 'string' },
        rate: { type: 'string' },
        duration: { type: 'string' },
        'audit-file': { type: 'string' },
      });
      return sandboxCommand({
        port: int(values.port, 'port', 0),
        ratePerSec: num(values.rate, 'rate', 2),
        durationS: num(values.duration, 'duration', 0),
        ...(typeof values['audit-file'] === 'string' && { auditFile: values['audit-file'] }),
      });
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

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const { code, message } = describeFailure(err);
    process.stderr.write(`genesys-enricher: ${message}\n`);
    process.exitCode = code;
  },
);
