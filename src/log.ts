/**
 * The logging interface every component receives through its `deps`. Components log structured
 * fields, never raw SDK errors, tokens, secrets or customer data (the winston implementation in
 * `src/sinks/` redacts as a second line of defence, not the first).
 */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** A logger whose lines carry `component` (and any other fixed fields). */
  child(fields: Record<string, unknown>): Logger;
}

/** A logger that drops everything: the default in tests and pure code. */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};
