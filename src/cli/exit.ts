/** Exit codes (design.md): 0 success, 2 usage or config errors, 1 runtime failure. */
import { ConfigError } from '../config/index.js';
import { ResolveError } from '../daemon/resolve.js';
import { EnricherError } from '../errors.js';

export const EXIT = { ok: 0, runtime: 1, usage: 2 } as const;

/** A command line that does not parse. */
export class UsageError extends EnricherError {
  constructor(message: string) {
    super('cli.usage', message);
  }
}

/** The exit code and one-line message for an error that ends a command. */
export function describeFailure(err: unknown): { code: number; message: string } {
  if (err instanceof UsageError) return { code: EXIT.usage, message: err.message };
  if (err instanceof ConfigError) return { code: EXIT.usage, message: err.message };
  if (err instanceof ResolveError) return { code: EXIT.usage, message: `config: ${err.path}: ${err.message}` };
  if (err instanceof EnricherError) return { code: EXIT.runtime, message: `${err.code}: ${err.message}` };
  // Never print an unknown error object: it may be a raw SDK error holding a token.
  return { code: EXIT.runtime, message: err instanceof Error ? `unexpected ${err.name}: ${err.message.slice(0, 200)}` : 'unexpected failure' };
}
