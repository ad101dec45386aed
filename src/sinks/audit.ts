/**
 * The audit trail: one JSON object per line per decision, for the people who tail the log.
 * Attribute values appear only as short SHA-256 hashes (enough to compare, never to read).
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { LRUCache } from 'lru-cache';
import { AUDIT_FILE_DEFAULTS, AuditFile, type AuditFileDeps, type AuditFileOptions, type AuditHealth } from './audit-file.js';

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
  /** `live` (a notification), `backfill` (found by the catch-up query) or `inspect` (an operator's --write). */
  readonly source?: 'live' | 'backfill' | 'inspect';
  /** Tries made, on `failed` lines. */
  readonly attempts?: number;
  /** Which identity source gave each lookup key (`{phone: 'ani'}`); source names only, never values. */
  readonly keySources?: Readonly<Partial<Record<'phone' | 'email' | 'externalContactId', string>>>;
  /** On `no-lookup-key`/`invalid-lookup-key` skips: the identity sources tried, in order (names only). */
  readonly sourcesTried?: readonly string[];
  /** On `no-lookup-key`/`invalid-lookup-key` skips: the CRM URL placeholder at fault, as written. */
  readonly placeholder?: string;
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
  /** Whether lines are waiting because the file refuses them (file sinks only). */
  health?(): AuditHealth;
  /** Resolves once the trail can take lines again; rejects when it closes first (file sinks only). */
  whenWritable?(): Promise<void>;
}

/**
 * Audit lines appended to a file (or written to stdout for `-`). Each line goes to the kernel
 * with one synchronous `write(2)` before the pipeline moves on, so a crash or SIGKILL cannot
 * lose a line the daemon already counted (a buffered stream would; winston's `end()` also lost
 * lines in bursts here). At audit rates (bounded by the API budget) the cost is microseconds.
 * Writes are checked (audit-file.ts): a line the file refuses waits and is tried again.
 * `reopen()` starts a fresh file at the same path after logrotate moved the old one away.
 */
export function createAuditLog(
  file: string,
  opts: AuditFileOptions = AUDIT_FILE_DEFAULTS,
  deps: AuditFileDeps = {},
): AuditSink & { reopen(): Promise<void> } {
  if (file === '-') {
    return {
      write: (line) => {
        process.stdout.write(`${JSON.stringify(line)}\n`);
      },
      reopen: () => Promise.resolve(),
      close: () => Promise.resolve(),
    };
  }
  const trail = new AuditFile(file, opts, deps);
  return {
    write: (line) => {
      trail.writeLine(JSON.stringify(line));
    },
    health: () => trail.health(),
    whenWritable: () => trail.whenWritable(),
    reopen: () => {
      trail.reopen();
      return Promise.resolve();
    },
    close: () => trail.close(),
  };
}

/**
 * The trace ids of `enriched` lines in the tail of an existing audit file (the last `maxBytes`).
 * After a crash, a conversation can carry the marker of a write whose audit line never made it:
 * the pipeline uses this set to tell such a write (recovered into the trail once) from one that
 * is already recorded.
 */
export function auditedTraceIds(file: string, maxBytes = 64 * 1024 * 1024): Set<string> {
  const ids = new Set<string>();
  if (file === '-') return ids;
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return ids;
  }
  try {
    const size = fstatSync(fd).size;
    const start = Math.max(0, size - maxBytes);
    const buf = Buffer.alloc(size - start);
    readSync(fd, buf, 0, buf.length, start);
    for (const raw of buf.toString('utf8').split('\n')) {
      if (!raw.includes('"enriched"')) continue;
      try {
        const line = JSON.parse(raw) as Partial<AuditLine>;
        if (line.event === 'enriched' && typeof line.traceId === 'string') ids.add(line.traceId);
      } catch {
        // a torn first or last line
      }
    }
  } finally {
    closeSync(fd);
  }
  return ids;
}

/**
 * Knows which trace ids the trail holds as `enriched`: loaded from the file's tail at start, fed
 * by this process's own lines, and re-read (at most every `rescanMs`) when asked about an unknown
 * id, since another process may append to the same file.
 */
export class AuditIndex {
  /** Bounded: only recent writes can be waiting for recovery, and a daemon runs for months. */
  private readonly ids: LRUCache<string, true>;
  private lastScan = 0;

  constructor(
    private readonly file: string,
    private readonly rescanMs = 5_000,
    max = 100_000,
  ) {
    this.ids = new LRUCache({ max });
    for (const id of auditedTraceIds(file)) this.ids.set(id, true);
    this.lastScan = Date.now();
  }

  add(line: AuditLine): void {
    if (line.event === 'enriched') this.ids.set(line.traceId, true);
  }

  has(traceId: string): boolean {
    if (this.ids.has(traceId)) return true;
    if (Date.now() - this.lastScan < this.rescanMs) return false;
    this.lastScan = Date.now();
    for (const id of auditedTraceIds(this.file, 4 * 1024 * 1024)) this.ids.set(id, true);
    return this.ids.has(traceId);
  }

  get size(): number {
    return this.ids.size;
  }
}

/** An in-memory sink for tests and the sandbox summary. */
export function memoryAuditSink(): AuditSink & { readonly lines: AuditLine[] } {
  const lines: AuditLine[] = [];
  return { lines, write: (line) => lines.push(line), close: () => Promise.resolve() };
}
