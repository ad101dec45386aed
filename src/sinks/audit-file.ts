/**
 * The audit trail on disk: every `write(2)` is checked. A failed write (full disk, EFBIG under a
 * file-size limit, EIO) or a short one (the kernel took only part of the line) never leaves a
 * torn line and never loses one silently: the line waits in memory, the sink reports itself
 * unhealthy, and a timer tries again until the file takes it. Lines keep their order.
 */
import { closeSync, fstatSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { EnricherError } from '../errors.js';

/** What the pipeline does while the trail cannot be written. */
export type { AuditWriteFailureMode } from '../config/constants.js';

/** The trail's state, as readiness and the pipeline see it. */
export interface AuditHealth {
  readonly writable: boolean;
  /** Lines waiting to be written (0 when writable). */
  readonly pending: number;
  /** Lines given up because too many were waiting (only grows). */
  readonly dropped: number;
  /** Errno code (or `short-write`) of the last failure while not writable. */
  readonly error?: string;
}

/** The few file calls the sink makes (passed in so tests can make the disk fail on cue). */
export interface AuditFs {
  readonly open: (path: string) => number;
  readonly write: (fd: number, data: Buffer) => number;
  readonly size: (fd: number) => number;
  readonly truncate: (fd: number, length: number) => void;
  readonly close: (fd: number) => void;
}

/** Created 0640: the trail names conversations and agents, not for every local user. */
export const AUDIT_FILE_MODE = 0o640;

/** The real file system. */
export const NODE_AUDIT_FS: AuditFs = {
  open: (path) => openSync(path, 'a', AUDIT_FILE_MODE),
  write: (fd, data) => writeSync(fd, data),
  size: (fd) => fstatSync(fd).size,
  truncate: (fd, length) => {
    ftruncateSync(fd, length);
  },
  close: (fd) => {
    closeSync(fd);
  },
};

export interface AuditFileOptions {
  /** Wait between tries while the file refuses lines. */
  readonly retryMs: number;
  /** Lines kept in memory while the file refuses them; beyond this the oldest are dropped (counted). */
  readonly maxPending: number;
}

export const AUDIT_FILE_DEFAULTS = { retryMs: 1_000, maxPending: 100_000 } as const satisfies AuditFileOptions;

export interface AuditFileDeps {
  readonly fs?: AuditFs;
  /** Told on every change of writability. */
  readonly onHealthChange?: (health: AuditHealth) => void;
  /** Told when a waiting line is given up because `maxPending` lines wait. */
  readonly onDropped?: () => void;
}

/** One line still owed to the file; `from` > 0 when its head is already there (see tryWrite). */
interface Owed {
  readonly data: Buffer;
  from: number;
}

/** Raised to waiters when the trail closes before it could be written again. */
export class AuditClosedError extends EnricherError {
  constructor() {
    super('audit.closed', 'the audit trail closed before it could be written again');
  }
}

/**
 * An append-only JSON-lines file whose writes are checked (see the file comment). `write` never
 * throws; `health()` and `onHealthChange` tell whether lines are waiting; `whenWritable()` lets
 * the pipeline hold its Genesys writes until they can be audited.
 */
export class AuditFile {
  private fd: number;
  private readonly owed: Owed[] = [];
  private lastError: string | undefined;
  private dropped = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private waiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  private readonly fs: AuditFs;

  constructor(
    private readonly path: string,
    private readonly opts: AuditFileOptions = AUDIT_FILE_DEFAULTS,
    private readonly deps: AuditFileDeps = {},
  ) {
    this.fs = deps.fs ?? NODE_AUDIT_FS;
    this.fd = this.fs.open(path);
  }

  /** Appends one line (the text without its newline). */
  writeLine(text: string): void {
    if (this.closed) return;
    const wasWritable = this.owed.length === 0;
    this.owed.push({ data: Buffer.from(`${text}\n`, 'utf8'), from: 0 });
    if (this.owed.length > this.opts.maxPending) {
      // Keep the newest; a line whose head is in the file must be finished, so drop the next one.
      const at = (this.owed[0]?.from ?? 0) > 0 ? 1 : 0;
      this.owed.splice(at, 1);
      this.dropped++;
      this.deps.onDropped?.();
    }
    this.flush();
    if (wasWritable !== (this.owed.length === 0)) this.changed();
  }

  health(): AuditHealth {
    const writable = this.owed.length === 0;
    return {
      writable,
      pending: this.owed.length,
      dropped: this.dropped,
      ...(!writable && this.lastError !== undefined && { error: this.lastError }),
    };
  }

  /** Resolves at once when nothing waits to be written, else once the file took every line. */
  whenWritable(): Promise<void> {
    if (this.closed) return Promise.reject(new AuditClosedError());
    if (this.owed.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Starts a fresh file at the same path (logrotate moved the old one), then writes what waits. */
  reopen(): void {
    if (this.closed) return;
    const old = this.fd;
    this.fd = this.fs.open(this.path);
    this.fs.close(old);
    // A line half in the old file cannot be finished there: write it whole into the new one.
    const head = this.owed[0];
    if (head) head.from = 0;
    this.retryNow();
  }

  /** Tries the waiting lines once more, now. */
  retryNow(): void {
    if (this.closed || this.owed.length === 0) return;
    this.flush();
    if (this.owed.length === 0) this.changed();
  }

  /** Tries a last time, closes the file; rejects when lines could not be written. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.flush();
    this.closed = true;
    clearTimeout(this.timer);
    this.fs.close(this.fd);
    for (const w of this.waiters.splice(0)) w.reject(new AuditClosedError());
    const lost = this.owed.length + this.dropped;
    if (lost > 0) {
      return Promise.reject(new EnricherError('audit.write', `${lost} audit line(s) could not be written (${this.lastError ?? 'dropped'})`));
    }
    return Promise.resolve();
  }

  /** Writes owed lines in order until one fails; schedules a retry when any remain. */
  private flush(): void {
    while (this.owed.length > 0) {
      const line = this.owed[0];
      if (line === undefined || !this.tryWrite(line)) break;
      this.owed.shift();
    }
    if (this.owed.length > 0) this.scheduleRetry();
  }

  /**
   * One `write(2)` of the rest of a line. A short write is undone with a truncate back to where
   * the line began (the file holds whole lines only); where the file cannot be truncated, the
   * rest is remembered and finished by the next try.
   */
  private tryWrite(line: Owed): boolean {
    const rest = line.from === 0 ? line.data : line.data.subarray(line.from);
    let n: number;
    try {
      n = this.fs.write(this.fd, rest);
    } catch (err) {
      this.lastError = (err as NodeJS.ErrnoException).code ?? 'write-error';
      return false;
    }
    if (n >= rest.length) return true;
    this.lastError = 'short-write';
    if (n <= 0) return false;
    if (line.from === 0) {
      try {
        this.fs.truncate(this.fd, this.fs.size(this.fd) - n);
        return false;
      } catch {
        // not a regular file: keep what went out and finish the line later
      }
    }
    line.from += n;
    return false;
  }

  private scheduleRetry(): void {
    if (this.timer !== undefined || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.retryNow();
    }, this.opts.retryMs);
    this.timer.unref();
  }

  private changed(): void {
    const health = this.health();
    if (health.writable) for (const w of this.waiters.splice(0)) w.resolve();
    this.deps.onHealthChange?.(health);
  }
}
