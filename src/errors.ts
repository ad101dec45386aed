/**
 * Base class for every error this project raises on purpose: a stable machine-readable `code`
 * and the underlying `cause`. Messages never contain tokens, secrets or customer data.
 */
export class EnricherError extends Error {
  /** Stable identifier for programs and metrics (e.g. `config.invalid`). */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = new.target.name;
  }
}
