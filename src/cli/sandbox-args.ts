/**
 * The `sandbox` command's flags, checked before anything heavy loads or starts: a bad value
 * exits 2 at once with a message naming the flag, instead of an exception from deep inside (a
 * port out of range) or a sandbox that never produces anything (a rate of 0). Kept free of the
 * SDK and the daemon so that the check costs milliseconds.
 */
import { parseListen } from '../config/urls.js';
import { UsageError } from './exit.js';

/** What `genesys-enricher sandbox` runs with. */
export interface SandboxCommandOptions {
  /** Port of the sandbox org (0: any free port). Always on 127.0.0.1. */
  readonly port: number;
  /** New conversations per second. */
  readonly ratePerSec: number;
  /** Stop by itself after this many seconds (0: run until Ctrl-C). */
  readonly durationS: number;
  readonly auditFile?: string;
  readonly httpListen?: string;
  /** Start the org and the fake CRM only, print how to reach them, and run no daemon. */
  readonly serveOnly: boolean;
}

/** Defaults of the sandbox flags. */
export const SANDBOX_ARG_DEFAULTS = { port: 0, ratePerSec: 2, durationS: 0 } as const;

/** The most conversations per second the sandbox is asked for (more only floods the machine). */
export const MAX_RATE_PER_SEC = 1_000;

/** Longest `--duration` accepted: setTimeout cannot wait longer than about 24.8 days. */
const MAX_DURATION_S = 2_147_483;

/** Flag values as node:util parseArgs gives them. */
export type SandboxArgValues = Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;

/** Turns parsed flags into options; throws {@link UsageError} naming the first bad flag. */
export function sandboxOptionsFrom(values: SandboxArgValues): SandboxCommandOptions {
  const port = numberFlag(values.port, 'port', SANDBOX_ARG_DEFAULTS.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new UsageError('--port must be a whole number from 0 to 65535 (0: any free port)');
  const ratePerSec = numberFlag(values.rate, 'rate', SANDBOX_ARG_DEFAULTS.ratePerSec);
  if (!(ratePerSec > 0) || ratePerSec > MAX_RATE_PER_SEC) throw new UsageError(`--rate must be above 0 and at most ${MAX_RATE_PER_SEC} conversations per second`);
  const durationS = numberFlag(values.duration, 'duration', SANDBOX_ARG_DEFAULTS.durationS);
  if (durationS < 0 || durationS > MAX_DURATION_S) throw new UsageError(`--duration must be from 0 to ${MAX_DURATION_S} seconds (0: until Ctrl-C)`);
  const auditFile = stringFlag(values['audit-file'], 'audit-file');
  const httpListen = stringFlag(values['http-listen'], 'http-listen');
  if (httpListen !== undefined && parseListen(httpListen) === undefined) throw new UsageError('--http-listen must be HOST:PORT or "off"');
  return {
    port,
    ratePerSec,
    durationS,
    serveOnly: values['serve-only'] === true,
    ...(auditFile !== undefined && { auditFile }),
    ...(httpListen !== undefined && { httpListen }),
  };
}

function numberFlag(v: unknown, name: string, fallback: number): number {
  if (v === undefined) return fallback;
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
  if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a number, not ${JSON.stringify(typeof v === 'string' ? v.slice(0, 40) : v)}`);
  return n;
}

function stringFlag(v: unknown, name: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v === '') throw new UsageError(`--${name} needs a value`);
  return v;
}
