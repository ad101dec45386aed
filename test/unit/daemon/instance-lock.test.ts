import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InstanceLock, InstanceLockedError, lockFileFor, processAlive, systemProbe } from '../../../src/daemon/instance-lock.js';

const lockPath = () => join(mkdtempSync(join(tmpdir(), 'lock-')), 'audit.jsonl.lock');
const foreign = (file: string, pid: number, host = hostname()) => {
  writeFileSync(file, JSON.stringify({ pid, host, startedAt: '2026-01-01T00:00:00Z' }));
};

describe('InstanceLock', () => {
  it('takes a free lock, writes its pid, and releases it', () => {
    const file = lockPath();
    const lock = InstanceLock.acquire(file);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ pid: process.pid, host: hostname() });
    lock.release();
    expect(existsSync(file)).toBe(false);
  });

  it('refuses while another live process holds it, naming its pid', () => {
    const file = lockPath();
    foreign(file, 4242);
    expect(() => InstanceLock.acquire(file, () => true)).toThrow(InstanceLockedError);
    expect(() => InstanceLock.acquire(file, () => true)).toThrow(/pid 4242/);
  });

  it.each([
    ['its process is gone', JSON.stringify({ pid: 4242, host: hostname(), startedAt: 'x' }), false],
    ['it is unreadable', '{not json', true],
    ['it was made on another machine (a copied disk)', JSON.stringify({ pid: 4242, host: 'elsewhere', startedAt: 'x' }), true],
  ])('takes over a lock when %s', (_name, content, pidAlive) => {
    const file = lockPath();
    writeFileSync(file, content);
    const lock = InstanceLock.acquire(file, () => pidAlive);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ pid: process.pid });
    lock.release();
  });

  it('release leaves a lock that someone else took over', () => {
    const file = lockPath();
    const lock = InstanceLock.acquire(file);
    foreign(file, 4242);
    lock.release();
    expect(existsSync(file)).toBe(true);
  });

  it('knows live and dead pids, and has no lock for stdout', () => {
    expect(processAlive(process.pid)).toBe(true);
    expect(processAlive(2 ** 22 + 12345)).toBe(false);
    expect(lockFileFor('-')).toBeUndefined();
    expect(lockFileFor('/var/log/a.jsonl')).toBe('/var/log/a.jsonl.lock');
  });
});

describe('InstanceLock against the real process table (Linux /proc)', () => {
  const bootId = () => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const c of children.splice(0)) c.kill('SIGKILL');
  });
  const sleeper = (): number => {
    const child = spawn('sleep', ['60'], { stdio: 'ignore' });
    children.push(child);
    return child.pid!;
  };

  it('takes over a lock naming a live process that is not a genesys-enricher (a reused pid)', () => {
    const file = lockPath();
    const pid = sleeper();
    foreign(file, pid);
    expect(systemProbe.holds({ pid, host: hostname(), startedAt: 'x' })).toBe(false);
    const lock = InstanceLock.acquire(file);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ pid: process.pid });
    lock.release();
  });

  it('takes over a lock whose pid now belongs to a process started at another time, or before a reboot', () => {
    const pid = sleeper();
    const [, start] = /\) \S+(?: \S+){18} (\S+)/.exec(readFileSync(`/proc/${String(pid)}/stat`, 'utf8')) ?? [];
    const owner = { pid, host: hostname(), startedAt: 'x', bootId: bootId(), procStart: start! };
    expect(systemProbe.holds(owner)).toBe(true);
    expect(systemProbe.holds({ ...owner, procStart: '1' })).toBe(false);
    expect(systemProbe.holds({ ...owner, bootId: 'another-boot' })).toBe(false);
  });

  it('writes the facts that identify its owner, and refuses a second lock while it holds', () => {
    const file = lockPath();
    const lock = InstanceLock.acquire(file);
    const content = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    expect(content).toMatchObject({ pid: process.pid, bootId: bootId() });
    expect(typeof content.procStart).toBe('string');
    expect(systemProbe.holds(content as never)).toBe(true);
    lock.release();
  });
});
