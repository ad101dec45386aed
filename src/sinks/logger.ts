/**
 * The operational log: winston, human-readable on a terminal and JSON lines otherwise, every
 * line with its `component`, and every line redacted (see redact.ts).
 */
import winston from 'winston';
import type { Logger } from '../log.js';
import { createRedactor } from './redact.js';

export type LogFormat = 'auto' | 'json' | 'pretty';
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

export interface LoggerOptions {
  readonly level: LogLevel;
  readonly format: LogFormat;
  readonly redactFields: readonly string[];
  /** Where lines go (stderr by default, so stdout stays free for command output). */
  readonly stream?: NodeJS.WritableStream;
}

/**
 * Builds the daemon's logger; `close()` flushes it. A line logged after `close()` began is
 * dropped: the logger closes last, but a late timer or socket callback must never turn into a
 * winston `write after end` that ends the process.
 */
export function createLogger(opts: LoggerOptions): Logger & { close(): Promise<void> } {
  const stream = opts.stream ?? process.stderr;
  const pretty = opts.format === 'pretty' || (opts.format === 'auto' && (stream as { isTTY?: boolean }).isTTY === true);
  const redact = createRedactor(opts.redactFields);
  const redactFormat = winston.format((info) => redact(info))();
  const base = winston.createLogger({
    level: opts.level,
    format: winston.format.combine(
      redactFormat,
      winston.format.timestamp(),
      pretty ? winston.format.printf(prettyLine) : winston.format.json(),
    ),
    // winston's Stream transport is typed against a duplicate copy of winston-transport's class.
    // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
    transports: [new winston.transports.Stream({ stream })],
  });
  // Shared by the root and every child: one close silences them all.
  let closing: Promise<void> | undefined;
  const wrap = (w: winston.Logger): Logger => ({
    debug: (m, f) => { if (closing === undefined) w.debug(m, f); },
    info: (m, f) => { if (closing === undefined) w.info(m, f); },
    warn: (m, f) => { if (closing === undefined) w.warn(m, f); },
    error: (m, f) => { if (closing === undefined) w.error(m, f); },
    child: (fields) => wrap(w.child(fields)),
  });
  return {
    ...wrap(base),
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        base.once('finish', () => { resolve(); });
        base.end();
      })),
  };
}

function prettyLine(info: winston.Logform.TransformableInfo): string {
  const { level, message, timestamp, component, ...rest } = info;
  const fields = Object.entries(rest)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  const time = typeof timestamp === 'string' ? timestamp.slice(11, 23) : '';
  const comp = typeof component === 'string' ? `[${component}] ` : '';
  return `${time} ${level.padEnd(5)} ${comp}${String(message)}${fields ? `  ${fields}` : ''}`;
}
