/**
 * One daemon per audit trail. Two daemons started by mistake on the same config (systemd and a
 * manual run, or systemd and pm2) would both see every conversation and both write it; the second
 * one refuses to start instead. The lock is a file beside the audit trail holding the owner's pid;
 * a lock left by a process that no longer runs (SIGKILL, power loss) is taken over.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
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

interface LockContent {
  readonly pid: number;
  readonly host: string;
  readonly startedAt: string;
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

export class InstanceLock {
  private constructor(readonly file: string) {}

  /** Takes the lock or throws InstanceLockedError; `alive` is replaceable in tests. */
  static acquire(file: string, alive: (pid: number) => boolean = processAlive): InstanceLock {
    for (let tries = 0; tries < 2; tries++) {
      let fd: number;
      try {
        fd = openSync(file, 'wx', 0o640);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const owner = readOwner(file);
        if (owner && owner.pid !== process.pid && owner.host === hostname() && alive(owner.pid)) throw new InstanceLockedError(file, owner.pid);
        // Stale (its process is gone) or unreadable: remove it and try once more.
        try {
          unlinkSync(file);
        } catch {
          // someone else removed it first
        }
        continue;
      }
      const content: LockContent = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
      writeSync(fd, JSON.stringify(content));
      closeSync(fd);
      return new InstanceLock(file);
    }
    const owner = readOwner(file);
    throw new InstanceLockedError(file, owner?.pid ?? -1);
  }

  /** Removes the lock if it is still ours. */
  release(): void {
    if (readOwner(this.file)?.pid !== process.pid) return;
    try {
      unlinkSync(this.file);
    } catch {
      // already gone
    }
  }
}

function readOwner(file: string): LockContent | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockContent>;
    return typeof parsed.pid === 'number' && typeof parsed.host === 'string' ? (parsed as LockContent) : undefined;
  } catch {
    return undefined;
  }
}
