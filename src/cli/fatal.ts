/**
 * The last line of a command that failed before (or outside) its logger: in JSON log mode it is a
 * JSON line like every other, so `journalctl -o cat | jq` does not stop at it.
 */
import type { LogFormat } from '../config/index.js';

/** Whether the fatal line is JSON: the log format asked for, `auto` meaning JSON off a terminal. */
export function fatalIsJson(format: LogFormat | undefined, isTTY: boolean): boolean {
  const f = format ?? 'auto';
  return f === 'json' || (f === 'auto' && !isTTY);
}

/** The text written to stderr for a failure (already scrubbed) and its exit code. */
export function fatalLine(message: string, exitCode: number, json: boolean, now: Date = new Date()): string {
  if (!json) return `genesys-enricher: ${message}\n`;
  return `${JSON.stringify({ level: 'error', message: 'fatal', component: 'cli', error: message, exitCode, timestamp: now.toISOString() })}\n`;
}
