import type { Logger } from '../../../src/log.js';

/** One captured log line, with the fields of every parent `child()` merged in. */
export interface LogLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly fields: Record<string, unknown>;
}

/** A Logger that keeps every line (all levels) so tests can inspect what would have been logged. */
export class RecordingLogger implements Logger {
  constructor(
    readonly lines: LogLine[] = [],
    private readonly bound: Record<string, unknown> = {},
  ) {}

  debug(message: string, fields?: Record<string, unknown>): void {
    this.lines.push({ level: 'debug', message, fields: { ...this.bound, ...fields } });
  }
  info(message: string, fields?: Record<string, unknown>): void {
    this.lines.push({ level: 'info', message, fields: { ...this.bound, ...fields } });
  }
  warn(message: string, fields?: Record<string, unknown>): void {
    this.lines.push({ level: 'warn', message, fields: { ...this.bound, ...fields } });
  }
  error(message: string, fields?: Record<string, unknown>): void {
    this.lines.push({ level: 'error', message, fields: { ...this.bound, ...fields } });
  }
  child(fields: Record<string, unknown>): Logger {
    return new RecordingLogger(this.lines, { ...this.bound, ...fields });
  }

  /** Every line as one JSON text, to search for things that must never be logged. */
  text(): string {
    return JSON.stringify(this.lines);
  }
}
