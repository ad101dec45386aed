import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { reloadCommand, ReloadWaitError } from '../../../src/cli/reload-command.js';
import { readReloadStatus, reloadStatusFile, writeReloadStatus } from '../../../src/cli/reload-status.js';

function io() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  return { io: { stdout, stderr }, out: () => out, err: () => err };
}

const at = '2026-03-01T00:00:00.000Z';

describe('reloadStatusFile', () => {
  it.each([
    [{}, undefined],
    [{ RUNTIME_DIRECTORY: '/run/genesys-enricher' }, '/run/genesys-enricher/reload-status.json'],
    [{ RUNTIME_DIRECTORY: '/run/a:/run/b' }, '/run/a/reload-status.json'],
    [{ RUNTIME_DIRECTORY: '/run/a', GENESYS_ENRICHER_STATUS_FILE: '/tmp/s.json' }, '/tmp/s.json'],
  ])('%j -> %s', (env, file) => {
    expect(reloadStatusFile(env)).toBe(file);
  });
});

describe('reloadCommand', () => {
  const dir = mkdtempSync(join(tmpdir(), 'reload-cmd-'));

  it.each([
    [true, 0, /config reloaded/],
    [false, 1, /reload rejected, the running config stays: config: x.yaml: queues/],
  ])('the daemon answers ok=%s -> exit %i', async (ok, code, text) => {
    const file = join(dir, `status-${String(ok)}.json`);
    writeReloadStatus(file, { pid: 42, reloads: 3, ok: true, at });
    const out = io();
    const kill = (pid: number, signal: string): void => {
      expect([pid, signal]).toEqual([42, 'SIGHUP']);
      // The daemon answers a little later, as it would.
      setTimeout(() => { writeReloadStatus(file, { pid: 42, reloads: 4, ok, at, ...(!ok && { error: 'config: x.yaml: queues: required' }) }); }, 20);
    };
    expect(await reloadCommand({ pid: 42, statusFile: file, timeoutMs: 5_000 }, out.io, { kill, pollMs: 5 })).toBe(code);
    expect(out.out() + out.err()).toMatch(text);
  });

  it('a status of an earlier process is not an answer: waits for the first reload of this one', async () => {
    const file = join(dir, 'status-old.json');
    writeReloadStatus(file, { pid: 7, reloads: 9, ok: false, error: 'old', at });
    const out = io();
    const kill = (): void => {
      setTimeout(() => { writeReloadStatus(file, { pid: 42, reloads: 1, ok: true, at }); }, 20);
    };
    expect(await reloadCommand({ pid: 42, statusFile: file, timeoutMs: 5_000 }, out.io, { kill, pollMs: 5 })).toBe(0);
  });

  it('no answer in time is an error naming the pid and the file', async () => {
    const file = join(dir, 'status-silent.json');
    const run = reloadCommand({ pid: 42, statusFile: file, timeoutMs: 1_000 }, io().io, { kill: () => undefined, pollMs: 20 });
    await expect(run).rejects.toThrow(ReloadWaitError);
    await expect(run).rejects.toThrow(/no reload outcome from process 42 in 1 s/);
  });

  it('reads back what it wrote, and nothing from a broken file', () => {
    const file = join(dir, 'rt.json');
    writeReloadStatus(file, { pid: 1, reloads: 2, ok: false, error: 'e', at });
    expect(readReloadStatus(file)).toEqual({ pid: 1, reloads: 2, ok: false, error: 'e', at });
    expect(readReloadStatus(join(dir, 'missing.json'))).toBeUndefined();
  });
});
