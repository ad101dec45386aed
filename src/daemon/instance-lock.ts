/**
 * One daemon per audit trail. Two daemons started by mistake on the same config (systemd and a
 * manual run, or systemd and pm2) would both see every conversation and both write it; the second
 * one refuses to start instead. The lock is a file beside the audit trail naming its owner.
 *
 * - Created complete in one step: the content goes to a private temp file first, which is then
 *   hard-linked to the lock name (`link` fails if the name exists). Nobody ever sees an empty or
 *   half-written lock, so an unreadable lock is a damaged one, never one being written.
 * - Taken over only when its owner is provably gone: the pid is dead, the machine rebooted since
 *   (boot id), the pid now belongs to another process (start time), or, for a lock without those
 *   facts, the process at that pid is not a genesys-enricher (Linux `/proc/<pid>/cmdline`).
 * - A takeover runs under a second lock (`<lock>.takeover`, made the same way) and removes the
 *   stale file only if it still holds what was judged stale, so two starters racing over a stale
 *   lock cannot both win.
 */
import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { EnricherError } from '../errors.js';

/** Another live daemon holds the lock. */
export class InstanceLockedError extends EnricherError {
  constructor(
    readonly lockFile: string,
    readonly ownerPid: number,
  ) {
    super('instance.locked', `another genesys-enricher (pid ${ownerPid}) already runs with this audit file (lock ${lockFile}); stop it first`);
  }
}

/** What a lock file says about its owner. */
export interface LockContent {
  readonly pid: number;
  readonly host: string;
  readonly startedAt: string;
  /** Linux boot id when the lock was taken (a reboot reuses pids). */
  readonly bootId?: string;
  /** The owner's start time in clock ticks since boot (`/proc/<pid>/stat` field 22). */
  readonly procStart?: string;
  /** Unique per lock: tells a lock from another one naming the same pid. */
  readonly nonce?: string;
}

/** How a lock's owner is judged; replaceable in tests. */
export interface OwnerProbe {
  /** Whether the process that wrote `owner` still runs as a genesys-enricher. */
  holds(owner: LockContent): boolean;
}

/** Whether a process with this pid runs on this machine. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else, which still means "alive".
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The lock file of an audit trail (none for stdout). */
export function lockFileFor(auditFile: string): string | undefined {
  return auditFile === '-' ? undefined : `${auditFile}.lock`;
}

/** A takeover takes milliseconds; a takeover lock older than this was left by a crash. */
const TAKEOVER_STALE_MS = 10_000;
const MAX_ROUNDS = 200;

export class InstanceLock {
  private constructor(
    readonly file: string,
    private readonly nonce: string,
  ) {}

  /**
   * Takes the lock or throws InstanceLockedError. `probe` decides whether an existing lock's
   * owner still runs (the real process table by default; a function of the pid in tests).
   */
  static acquire(file: string, probe: OwnerProbe | ((pid: number) => boolean) = systemProbe): InstanceLock {
    const judge: OwnerProbe = typeof probe === 'function' ? { holds: (o) => probe(o.pid) } : probe;
    const mine = ownContent();
    for (let round = 0; round < MAX_ROUNDS; round++) {
      if (createComplete(file, mine)) return new InstanceLock(file, mine.nonce ?? '');
      const seen = readRaw(file);
      if (seen === undefined) continue; // removed between our link and our read: try again
      const owner = parseOwner(seen);
      if (owner && owner.host === hostname() && owner.pid !== process.pid && judge.holds(owner)) throw new InstanceLockedError(file, owner.pid);
      // Stale, damaged, ours from a previous life, or from a copied disk: replace it, unless
      // someone else replaced it first.
      if (!takeOver(file, seen, mine, judge)) pause(5);
      else return new InstanceLock(file, mine.nonce ?? '');
    }
    throw new InstanceLockedError(file, parseOwner(readRaw(file) ?? '')?.pid ?? -1);
  }

  /** Removes the lock if it is still ours. */
  release(): void {
    const owner = parseOwner(readRaw(this.file) ?? '');
    if (owner?.pid !== process.pid || (owner.nonce !== undefined && owner.nonce !== this.nonce)) return;
    try {
      unlinkSync(this.file);
    } catch {
      // already gone
    }
  }
}

/** Creates `file` with `content` in one step; false when the name is taken. */
function createComplete(file: string, content: LockContent | string): boolean {
  const tmp = `${file}.${String(process.pid)}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, typeof content === 'string' ? content : JSON.stringify(content), { mode: 0o640, flag: 'wx' });
  try {
    linkSync(tmp, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return false;
  } finally {
    unlinkSync(tmp);
  }
}

/**
 * Replaces the stale lock whose text was `seen`, under the takeover lock; false when another
 * starter holds the takeover lock or changed the lock first (the caller looks again).
 */
function takeOver(file: string, seen: string, mine: LockContent, judge: OwnerProbe): boolean {
  const guard = `${file}.takeover`;
  if (!createComplete(guard, mine)) {
    clearStaleGuard(guard, judge);
    return false;
  }
  try {
    if (readRaw(file) !== seen) return false;
    unlinkSync(file);
    return createComplete(file, mine);
  } finally {
    unlinkSync(guard);
  }
}

/** A takeover lock left by a crash mid-takeover (old, and its owner gone) is removed. */
function clearStaleGuard(guard: string, judge: OwnerProbe): void {
  try {
    const owner = parseOwner(readRaw(guard) ?? '');
    const old = Date.now() - statSync(guard).mtimeMs > TAKEOVER_STALE_MS;
    if (old && (owner === undefined || !judge.holds(owner))) unlinkSync(guard);
  } catch {
    // gone already
  }
}

function readRaw(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function parseOwner(text: string): LockContent | undefined {
  try {
    const parsed = JSON.parse(text) as Partial<LockContent>;
    return typeof parsed.pid === 'number' && typeof parsed.host === 'string' ? (parsed as LockContent) : undefined;
  } catch {
    return undefined;
  }
}

function ownContent(): LockContent {
  const bootId = linuxBootId();
  const procStart = processStart(process.pid);
  return {
    pid: process.pid,
    host: hostname(),
    startedAt: new Date().toISOString(),
    ...(bootId !== undefined && { bootId }),
    ...(procStart !== undefined && { procStart }),
    nonce: randomBytes(8).toString('hex'),
  };
}

/** The real process table: exact on Linux, "the pid is alive" elsewhere. */
export const systemProbe: OwnerProbe = {
  holds(owner) {
    if (!processAlive(owner.pid)) return false;
    const bootId = linuxBootId();
    if (bootId === undefined) return true; // no /proc: a live pid is all we can know
    if (owner.bootId !== undefined) {
      if (owner.bootId !== bootId) return false;
      if (owner.procStart !== undefined) return processStart(owner.pid) === owner.procStart;
    }
    return looksLikeEnricher(owner.pid);
  },
};

function linuxBootId(): string | undefined {
  return readRaw('/proc/sys/kernel/random/boot_id')?.trim();
}

/** Field 22 of /proc/<pid>/stat (after the parenthesised command name, which may hold spaces). */
function processStart(pid: number): string | undefined {
  const stat = readRaw(`/proc/${String(pid)}/stat`);
  if (stat === undefined) return undefined;
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

/** Whether the command line at `pid` is a genesys-enricher (this program's script, or its name). */
function looksLikeEnricher(pid: number): boolean {
  const cmdline = readRaw(`/proc/${String(pid)}/cmdline`);
  if (cmdline === undefined) return true; // cannot tell (hidepid): assume it is
  const args = cmdline.split('\0');
  const script = process.argv[1];
  return args.some((a) => a.includes('genesys-enricher') || (script !== undefined && a === script));
}

/** A short synchronous pause between takeover attempts (start-up is not yet serving anything). */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
