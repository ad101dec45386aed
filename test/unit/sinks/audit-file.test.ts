/**
 * The audit file checks every write: refused and short writes leave no torn line, the line waits
 * and is written once the file takes it, and the sink says when it is (not) writable.
 */
import { mkdtempSync, readFileSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AUDIT_FILE_MODE, AuditClosedError, AuditFile, NODE_AUDIT_FS, type AuditFs, type AuditHealth } from '../../../src/sinks/audit-file.js';
import { createAuditLog } from '../../../src/sinks/audit.js';

afterEach(() => {
  vi.useRealTimers();
});

function tmpFile(): string {
  return join(mkdtempSync(join(tmpdir(), 'audit-file-')), 'audit.jsonl');
}

/** The real file system, with a switch that makes writes fail or come up short. */
function faultyFs(): Omit<AuditFs, 'truncate'> & { mode: 'ok' | 'enospc' | 'short'; shortBy: number; truncate: AuditFs['truncate'] } {
  const fs = {
    ...NODE_AUDIT_FS,
    mode: 'ok' as 'ok' | 'enospc' | 'short',
    shortBy: 5,
    write: (fd: number, data: Buffer): number => {
      if (fs.mode === 'enospc') throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
      if (fs.mode === 'short') return writeSync(fd, data.subarray(0, Math.max(1, data.length - fs.shortBy)));
      return writeSync(fd, data);
    },
  };
  return fs;
}

const opts = { retryMs: 1_000, maxPending: 100 };

describe('AuditFile', () => {
  it('creates the file with mode 0640 whatever the umask allows', () => {
    const file = tmpFile();
    const old = process.umask(0o022);
    try {
      new AuditFile(file, opts).writeLine('{}');
    } finally {
      process.umask(old);
    }
    expect(statSync(file).mode & 0o777).toBe(AUDIT_FILE_MODE);
  });

  it('keeps a refused line, reports unwritable, and writes it in order once the file takes lines again', async () => {
    vi.useFakeTimers();
    const file = tmpFile();
    const fs = faultyFs();
    const changes: AuditHealth[] = [];
    const trail = new AuditFile(file, opts, { fs, onHealthChange: (h) => changes.push(h) });
    trail.writeLine('{"n":1}');
    fs.mode = 'enospc';
    trail.writeLine('{"n":2}');
    trail.writeLine('{"n":3}');
    expect(trail.health()).toEqual({ writable: false, pending: 2, dropped: 0, error: 'ENOSPC' });
    expect(changes).toEqual([{ writable: false, pending: 1, dropped: 0, error: 'ENOSPC' }]);
    let released = false;
    const waiting = trail.whenWritable().then(() => (released = true));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(released).toBe(false);
    expect(readFileSync(file, 'utf8')).toBe('{"n":1}\n');
    fs.mode = 'ok';
    await vi.advanceTimersByTimeAsync(1_000);
    await waiting;
    expect(released).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe('{"n":1}\n{"n":2}\n{"n":3}\n');
    expect(changes.at(-1)).toEqual({ writable: true, pending: 0, dropped: 0 });
    await trail.close();
  });

  it('undoes a short write so the file never holds a torn line, then writes the line whole', async () => {
    vi.useFakeTimers();
    const file = tmpFile();
    const fs = faultyFs();
    const trail = new AuditFile(file, opts, { fs });
    trail.writeLine('{"n":1}');
    fs.mode = 'short';
    trail.writeLine('{"n":2,"long":"xxxxxxxxxxxxxxxx"}');
    expect(readFileSync(file, 'utf8')).toBe('{"n":1}\n');
    expect(trail.health()).toMatchObject({ writable: false, error: 'short-write' });
    fs.mode = 'ok';
    await vi.advanceTimersByTimeAsync(1_000);
    expect(readFileSync(file, 'utf8')).toBe('{"n":1}\n{"n":2,"long":"xxxxxxxxxxxxxxxx"}\n');
    await trail.close();
  });

  it('finishes a line whose head went out when the file cannot be truncated', async () => {
    vi.useFakeTimers();
    const file = tmpFile();
    const fs = faultyFs();
    fs.truncate = () => {
      throw Object.assign(new Error('invalid'), { code: 'EINVAL' });
    };
    const trail = new AuditFile(file, opts, { fs });
    fs.mode = 'short';
    fs.shortBy = 3;
    trail.writeLine('{"n":1}');
    fs.mode = 'ok';
    await vi.advanceTimersByTimeAsync(1_000);
    expect(readFileSync(file, 'utf8')).toBe('{"n":1}\n');
    await trail.close();
  });

  it('bounds the lines it keeps and counts the ones it gives up; close() says lines were lost', async () => {
    const fs = faultyFs();
    const dropped: number[] = [];
    const trail = new AuditFile(tmpFile(), { retryMs: 60_000, maxPending: 3 }, { fs, onDropped: () => dropped.push(1) });
    fs.mode = 'enospc';
    for (let i = 0; i < 5; i++) trail.writeLine(`{"n":${i}}`);
    expect(trail.health()).toMatchObject({ pending: 3, dropped: 2 });
    expect(dropped).toHaveLength(2);
    const waiting = trail.whenWritable();
    await expect(trail.close()).rejects.toMatchObject({ code: 'audit.write' });
    await expect(waiting).rejects.toBeInstanceOf(AuditClosedError);
  });

  it('on /dev/full: the write is refused (ENOSPC), nothing is thrown, the line waits', async () => {
    const trail = new AuditFile('/dev/full', opts);
    trail.writeLine('{"n":1}');
    expect(trail.health()).toEqual({ writable: false, pending: 1, dropped: 0, error: 'ENOSPC' });
    await expect(trail.close()).rejects.toMatchObject({ code: 'audit.write' });
  });

  it('createAuditLog exposes the health and the wait of its file', async () => {
    const log = createAuditLog('/dev/full', opts);
    log.write({ ts: '', event: 'skipped', conversationId: 'c', traceId: 't', latencyMs: { total: 0 } });
    expect(log.health?.()).toMatchObject({ writable: false, error: 'ENOSPC' });
    const waiting = log.whenWritable?.();
    await expect(log.close()).rejects.toMatchObject({ code: 'audit.write' });
    await expect(waiting).rejects.toBeInstanceOf(AuditClosedError);
  });
});
