/**
 * The audit trail: one JSON object per line per decision, for the people who tail the log.
 * Attribute values appear only as short keyed hashes (enough to compare, never to read).
 */
import { createHmac } from 'node:crypto';
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
  /** Tries made (on `failed` lines, and on `enriched` lines of a write). */
  readonly attempts?: number;
  /** Which identity source gave each lookup key (`{phone: 'ani'}`); source names only, never values. */
  readonly keySources?: Readonly<Partial<Record<'phone' | 'email' | 'externalContactId', string>>>;
  /** On `no-lookup-key`/`invalid-lookup-key` skips: the identity sources tried, in order (names only). */
  readonly sourcesTried?: readonly string[];
  /** On `no-lookup-key`/`invalid-lookup-key` skips: the CRM URL placeholder at fault, as written. */
  readonly placeholder?: string;
  /** `forged`: the target carried a marker that did not verify; it counted as absent and was overwritten. */
  readonly markerFound?: 'forged';
  /** `read-back`: the PATCH's answer was lost, and reading the conversation back showed it landed. */
  readonly writeConfirmedBy?: 'read-back';
}

/**
 * Short HMAC-SHA256 of a value under the audit key: 12 hex characters. Keyed because attribute
 * values are low-entropy (`gold`, `true`, a postcode): a plain hash is reversed by trying them all,
 * while without the key a hash only says "same value" or "different value".
 */
export function hashValue(value: string, key: Buffer): string {
  return createHmac('sha256', key).update(value).digest('hex').slice(0, 12);
}

/** Hashes every value of an attribute map under the audit key. */
export function hashAttributes(attributes: Readonly<Record<string, string>>, key: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(attributes)) out[k] = hashValue(v, key);
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

/** What the tail of an audit file says. */
export interface AuditTail {
  /** Trace ids of `enriched` lines. */
  readonly traceIds: Set<string>;
  /** Conversations with an `enriched` or `skipped` line at or after `decidedSince`, oldest first. */
  readonly decided: string[];
}

/**
 * Reads the tail of an existing audit file (the last `maxBytes`). After a crash, a conversation
 * can carry the marker of a write whose audit line never made it: the pipeline uses the trace ids
 * to tell such a write (recovered into the trail once) from one that is already recorded. The
 * decided conversations let a restart skip what it already settled (see {@link AuditIndex}).
 */
export function scanAuditTail(file: string, maxBytes = 64 * 1024 * 1024, decidedSince = Number.POSITIVE_INFINITY): AuditTail {
  const tail: AuditTail = { traceIds: new Set(), decided: [] };
  if (file === '-') return tail;
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return tail;
  }
  const decided = new Set<string>();
  // Rescans only want trace ids: skipped lines are not even parsed then.
  const wantDecided = Number.isFinite(decidedSince);
  try {
    const size = fstatSync(fd).size;
    const start = Math.max(0, size - maxBytes);
    const buf = Buffer.alloc(size - start);
    readSync(fd, buf, 0, buf.length, start);
    for (const raw of buf.toString('utf8').split('\n')) {
      if (!raw.includes('"enriched"') && !(wantDecided && raw.includes('"skipped"'))) continue;
      try {
        const line = JSON.parse(raw) as Partial<AuditLine>;
        if (line.event === 'enriched' && typeof line.traceId === 'string') tail.traceIds.add(line.traceId);
        if ((line.event === 'enriched' || line.event === 'skipped') && typeof line.conversationId === 'string' && typeof line.ts === 'string' && Date.parse(line.ts) >= decidedSince) {
          // Re-inserted so that the set's order is the order of the last decision.
          decided.delete(line.conversationId);
          decided.add(line.conversationId);
        }
      } catch {
        // a torn first or last line
      }
    }
  } finally {
    closeSync(fd);
  }
  tail.decided.push(...decided);
  return tail;
}

/** The trace ids of `enriched` lines in the tail of an existing audit file. */
export function auditedTraceIds(file: string, maxBytes = 64 * 1024 * 1024): Set<string> {
  return scanAuditTail(file, maxBytes).traceIds;
}

/** Which recent decisions a restart takes over from the trail. */
export interface SettleWindow {
  /** Only decisions this recent (conversations older than this are rarely still live). */
  readonly maxAgeMs: number;
  /** At most this many conversations, the newest. */
  readonly max: number;
}

/** A day covers all but the longest-lived conversations; those cost one GET each at a restart. */
export const SETTLE_WINDOW_DEFAULTS = { maxAgeMs: 24 * 3_600_000, max: 50_000 } as const satisfies SettleWindow;

/**
 * Knows which trace ids the trail holds as `enriched`: loaded from the file's tail at start, fed
 * by this process's own lines, and re-read (at most every `rescanMs`) when asked about an unknown
 * id, since another process may append to the same file.
 */
export class AuditIndex {
  /** Bounded: only recent writes can be waiting for recovery, and a daemon runs for months. */
  private readonly ids: LRUCache<string, true>;
  private lastScan = 0;
  private decided: readonly string[];

  constructor(
    private readonly file: string,
    private readonly rescanMs = 5_000,
    max = 100_000,
    settle: SettleWindow = SETTLE_WINDOW_DEFAULTS,
  ) {
    this.ids = new LRUCache({ max });
    const now = Date.now();
    const tail = scanAuditTail(file, undefined, now - settle.maxAgeMs);
    for (const id of tail.traceIds) this.ids.set(id, true);
    this.decided = tail.decided.slice(-settle.max);
    this.lastScan = now;
  }

  /**
   * Conversations the trail records as enriched or skipped recently (newest last), handed over
   * once: a restart settles them at once, so its catch-up fetches only what it has no record of.
   */
  takeRecentlyDecided(): readonly string[] {
    const out = this.decided;
    this.decided = [];
    return out;
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
