/** Exit codes (docs/architecture.md): 0 success, 2 usage or config errors, 1 runtime failure. */
import { ConfigError } from '../config/index.js';
import { ResolveError } from '../daemon/resolve.js';
import { EnricherError } from '../errors.js';
import { scrubText } from '../sinks/redact.js';

export const EXIT = { ok: 0, runtime: 1, usage: 2 } as const;

/** A command line that does not parse. */
export class UsageError extends EnricherError {
  constructor(message: string) {
    super('cli.usage', message);
  }
}

/**
 * The exit code and one-line message for an error that ends a command. The message goes to
 * stderr outside the logger, so it is scrubbed here like a log line: an error text may quote
 * whatever a gateway echoed back, Authorization header included.
 */
export function describeFailure(err: unknown): { code: number; message: string } {
  const { code, message } = describeUnscrubbed(err);
  return { code, message: scrubFatal(message) };
}

function describeUnscrubbed(err: unknown): { code: number; message: string } {
  if (err instanceof UsageError) return { code: EXIT.usage, message: err.message };
  if (err instanceof ConfigError) return { code: EXIT.usage, message: err.message };
  if (err instanceof ResolveError) return { code: EXIT.usage, message: `config: ${err.path}: ${err.message}` };
  if (err instanceof EnricherError) return { code: EXIT.runtime, message: `${err.code}: ${err.message}` };
  // Never print an unknown error object: it may be a raw SDK error holding a token.
  return { code: EXIT.runtime, message: err instanceof Error ? `unexpected ${err.name}: ${err.message.slice(0, 200)}` : 'unexpected failure' };
}

/** Base64 runs long enough to hold `id:secret` (a Basic credential seen without its scheme). */
const BASE64_RUN = /[A-Za-z0-9+/_-]{12,}={0,2}/g;

/**
 * {@link scrubText} (`Bearer x`, `Basic x`, `token=x`), and also any base64 run that decodes to
 * readable `name:value` text: the Basic credential when a gateway echoes it bare.
 */
export function scrubFatal(message: string): string {
  return scrubText(message).replace(BASE64_RUN, (run) => (isEncodedPair(run) ? '[redacted]' : run));
}

function isEncodedPair(run: string): boolean {
  const decoded = Buffer.from(run.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('latin1');
  return /^[\x20-\x7e]+:[\x20-\x7e]*$/.test(decoded);
}
