/**
 * The audit trail: one JSON object per line per decision, for the people who tail the log.
 * Attribute values appear only as short SHA-256 hashes (enough to compare, never to read).
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { EnricherError } from '../errors.js';

export type AuditEvent = 'enriched' | 'skipped' | 'failed';
export type AuditCrm = 'hit' | 'miss' | 'stale' | 'timeout' | 'error';

/** One audit line (the contract in design.md, plus a few helpful fields). */
export interface AuditLine {
  readonly ts: string;
  readonly event: AuditEvent;
  readonly reason?: string;
  readonly conversationId: string;
  readonly participantId?: string;
  readonly queueId?: string;
  readonly media?: string;
  readonly traceId: string;
  /** Written keys with hashed values. */
  readonly attributes?: Readonly<Record<string, string>>;
  /** Mapped fields not written, with why. */
  readonly dropped?: readonly { readonly field: string; readonly reason: string }[];
  readonly crm?: AuditCrm;
  readonly latencyMs: { readonly crm?: number; readonly write?: number; readonly total: number };
  readonly schemaVersion?: string;
  readonly correlationId?: string;
  /** `live` (a notification) or `backfill` (found by the catch-up query). */
  readonly source?: 'live' | 'backfill';
}

/** Short SHA-256 of a value: 12 hex characters. */
export function hashValue(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 12);
}

/** Hashes every value of an attribute map. */
export function hashAttributes(attributes: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(attributes)) out[k] = hashValue(v);
  return out;
}

/** Where audit lines go: a sink with a flush on close. */
export interface AuditSink {
  write(line: AuditLine): void;
  close(): Promise<void>;
}

/**
 * Audit lines appended to a file (or written to stdout for `-`). A plain fs stream rather than
 * winston: winston's `end()` during a burst threw "write after end" and dropped lines here (both
 * its File transport and a custom one), and an audit trail must not lose a line. `reopen()`
 * starts a fresh file at the same path after logrotate moved the old one away.
 */
export function createAuditLog(file: string): AuditSink & { reopen(): Promise<void> } {
  const open = (): NodeJS.WritableStream & { closed?: boolean } =>
    file === '-' ? process.stdout : createWriteStream(file, { flags: 'a' }).on('error', onError);
  let out = open();
  let closed = false;
  let lastError: Error | undefined;
  function onError(err: Error): void {
    // Keep running (the daemon's job matters more than its trail) but remember and report.
    lastError = err;
  }
  const finish = async (stream: NodeJS.WritableStream): Promise<void> => {
    if (stream === process.stdout) return;
    const done = once(stream, 'close');
    stream.end();
    await done;
  };
  return {
    write(line) {
      if (!closed) out.write(`${JSON.stringify(line)}\n`);
    },
    async reopen() {
      const old = out;
      out = open();
      await finish(old);
    },
    async close() {
      if (closed) return;
      closed = true;
      await finish(out);
      if (lastError) throw new EnricherError('audit.write', `audit file could not be written: ${lastError.message}`, { cause: lastError });
    },
  };
}

/** An in-memory sink for tests and the sandbox summary. */
export function memoryAuditSink(): AuditSink & { readonly lines: AuditLine[] } {
  const lines: AuditLine[] = [];
  return { lines, write: (line) => lines.push(line), close: () => Promise.resolve() };
}
