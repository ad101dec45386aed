/**
 * Reads a file that another process appends to, like `tail -F`: what is there, then what is added,
 * across the two ways logrotate hands over a file: moved away and recreated at the same path (a new
 * inode: the old one is read to its end first), or truncated in place (copytruncate: start over).
 * Polls rather than fs.watch, which misses events on some file systems and after a rename.
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/** What the tail reports. */
export interface TailEvents {
  /** New bytes, in order. */
  onChunk(chunk: Buffer): void;
  /** The file at the path was replaced or cut: the bytes before are finished, new ones follow. */
  onRestart(reason: 'rotated' | 'truncated'): void;
}

/** Timings of {@link followFile}. */
export interface FollowOptions {
  /** How often to look for new bytes. */
  readonly pollMs: number;
}

/** Defaults of {@link FollowOptions}. */
export const FOLLOW_DEFAULTS = { pollMs: 200 } as const satisfies FollowOptions;

const CHUNK_BYTES = 64 * 1024;

/** An open file read from where it was left. */
export class FileTail {
  private offset = 0;

  private constructor(
    private readonly path: string,
    private handle: FileHandle,
    private identity: string,
    private readonly events: TailEvents,
  ) {}

  /** Opens `path`; rejects with the fs error (ENOENT, EACCES, EISDIR...) when it cannot be read. */
  static async open(path: string, events: TailEvents): Promise<FileTail> {
    const handle = await open(path, 'r');
    try {
      const s = await handle.stat();
      if (s.isDirectory()) throw Object.assign(new Error(`EISDIR: ${path} is a directory`), { code: 'EISDIR' });
      return new FileTail(path, handle, identityOf(s), events);
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  /** Reads every byte that is there now. */
  async readToEnd(): Promise<void> {
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    for (;;) {
      const { bytesRead } = await this.handle.read(buffer, 0, CHUNK_BYTES, this.offset);
      if (bytesRead === 0) return;
      this.offset += bytesRead;
      this.events.onChunk(Buffer.from(buffer.subarray(0, bytesRead)));
    }
  }

  /** Reads what was added since the last call, following a truncation or a new file at the path. */
  async poll(): Promise<void> {
    if ((await this.handle.stat()).size < this.offset) {
      this.offset = 0;
      this.events.onRestart('truncated');
    }
    await this.readToEnd();
    const now = await stat(this.path).catch(() => undefined);
    // Gone (moved, not yet recreated) or still ours: keep reading the file we hold.
    if (now === undefined || identityOf(now) === this.identity) return;
    let next: FileHandle;
    try {
      next = await open(this.path, 'r');
    } catch {
      return; // replaced again or unreadable for a moment: try on the next poll
    }
    const old = this.handle;
    this.handle = next;
    this.identity = identityOf(await next.stat());
    this.offset = 0;
    await old.close();
    this.events.onRestart('rotated');
    await this.readToEnd();
  }

  /** Closes the file held now. */
  async close(): Promise<void> {
    await this.handle.close();
  }
}

/** Reads `path` to its end once; rejects with the fs error when it cannot be opened. */
export async function readFileOnce(path: string, events: TailEvents): Promise<void> {
  const tail = await FileTail.open(path, events);
  try {
    await tail.readToEnd();
  } finally {
    await tail.close();
  }
}

/**
 * Reads `path` and then what is added until `signal` aborts; rejects with the fs error when the
 * file cannot be opened at the start (later disappearances are waited out).
 */
export async function followFile(path: string, events: TailEvents, signal: AbortSignal, opts: FollowOptions = FOLLOW_DEFAULTS): Promise<void> {
  const tail = await FileTail.open(path, events);
  try {
    await tail.readToEnd();
    while (!signal.aborted) {
      try {
        await sleep(opts.pollMs, undefined, { signal });
      } catch {
        break; // aborted while waiting
      }
      await tail.poll();
    }
    await tail.poll(); // lines written just before the stop still count
  } finally {
    await tail.close();
  }
}

function identityOf(s: { dev: number; ino: number }): string {
  return `${s.dev}:${s.ino}`;
}
