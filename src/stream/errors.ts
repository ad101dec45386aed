import { EnricherError } from '../errors.js';

/** Stable codes of the errors raised by the notification stream. */
export type StreamErrorCode = 'stream.too-many-topics' | 'stream.invalid-topic' | 'stream.invalid-state';

/** An error raised on purpose by the notification stream (topic planning or channel misuse). */
export class StreamError extends EnricherError {
  declare readonly code: StreamErrorCode;

  constructor(code: StreamErrorCode, message: string, cause?: unknown) {
    super(code, message, cause === undefined ? undefined : { cause });
  }
}

/**
 * Log fields describing an error: its class and code, never its message, which for errors coming
 * from API layers may quote a request (and so a token or customer data).
 */
export function describeError(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { error: typeof err };
  const code = (err as { code?: unknown }).code;
  return { error: err.name, ...(typeof code === 'string' ? { code } : {}) };
}
