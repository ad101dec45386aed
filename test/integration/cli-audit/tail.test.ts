/** FileTail over real files: appends, logrotate's two styles, a file gone for a while. */
import { appendFileSync, mkdtempSync, renameSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileTail, followFile, readFileOnce } from '../../../src/cli/audit/tail.js';
import { waitFor } from '../../helpers/wait-for.js';

function recorder(): { text: () => string; events: string[]; onChunk: (c: Buffer) => void; onRestart: (r: 'rotated' | 'truncated') => void } {
  const events: string[] = [];
  return {
    events,
    text: () => events.filter((e) => !e.startsWith('<')).join(''),
    onChunk: (c) => events.push(c.toString('utf8')),
    onRestart: (r) => events.push(`<${r}>`),
  };
}

describe('FileTail', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tail-'));
    file = join(dir, 'audit.jsonl');
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads a file once, however large', async () => {
    const big = `${'x'.repeat(99)}\n`.repeat(2_000); // 200 kB: several reads
    writeFileSync(file, big);
    const rec = recorder();
    await readFileOnce(file, rec);
    expect(rec.text()).toBe(big);
  });

  it.each([
    ['a missing file', 'missing.jsonl', 'ENOENT'],
    ['a directory', '.', 'EISDIR'],
  ])('rejects %s with its fs code', async (_name, name, code) => {
    await expect(readFileOnce(join(dir, name), recorder())).rejects.toMatchObject({ code });
  });

  it('reads only what was appended since the last poll', async () => {
    writeFileSync(file, 'one\n');
    const rec = recorder();
    const tail = await FileTail.open(file, rec);
    try {
      await tail.readToEnd();
      appendFileSync(file, 'two\nthr');
      await tail.poll();
      appendFileSync(file, 'ee\n');
      await tail.poll();
      await tail.poll();
      expect(rec.events).toEqual(['one\n', 'two\nthr', 'ee\n']);
    } finally {
      await tail.close();
    }
  });

  it('drains the old file, then follows the new one when logrotate moves it away', async () => {
    writeFileSync(file, 'a\n');
    const rec = recorder();
    const tail = await FileTail.open(file, rec);
    try {
      await tail.readToEnd();
      appendFileSync(file, 'b\n'); // written before the move, not yet read
      renameSync(file, `${file}.1`);
      await tail.poll(); // gone: keep the old one
      appendFileSync(`${file}.1`, 'c\n'); // the daemon still writes to its open file until SIGUSR1
      writeFileSync(file, 'd\n');
      await tail.poll();
      appendFileSync(file, 'e\n');
      await tail.poll();
      expect(rec.events).toEqual(['a\n', 'b\n', 'c\n', '<rotated>', 'd\n', 'e\n']);
    } finally {
      await tail.close();
    }
  });

  it('starts over when the file is truncated in place (copytruncate)', async () => {
    writeFileSync(file, 'old line\n');
    const rec = recorder();
    const tail = await FileTail.open(file, rec);
    try {
      await tail.readToEnd();
      truncateSync(file, 0);
      appendFileSync(file, 'new\n');
      await tail.poll();
      expect(rec.events).toEqual(['old line\n', '<truncated>', 'new\n']);
    } finally {
      await tail.close();
    }
  });

  it('waits out a deleted file and picks up the one created later', async () => {
    writeFileSync(file, 'a\n');
    const rec = recorder();
    const tail = await FileTail.open(file, rec);
    try {
      await tail.readToEnd();
      unlinkSync(file);
      await tail.poll();
      await tail.poll();
      writeFileSync(file, 'b\n');
      await tail.poll();
      expect(rec.events).toEqual(['a\n', '<rotated>', 'b\n']);
    } finally {
      await tail.close();
    }
  });

  it('follows until aborted, and reads the last bytes on the way out', async () => {
    writeFileSync(file, 'a\n');
    const rec = recorder();
    const stop = new AbortController();
    const following = followFile(file, rec, stop.signal, { pollMs: 10 });
    await waitFor(() => rec.text() === 'a\n');
    appendFileSync(file, 'b\n');
    await waitFor(() => rec.text() === 'a\nb\n');
    appendFileSync(file, 'c\n');
    stop.abort();
    await following;
    expect(rec.text()).toBe('a\nb\nc\n');
  });
});
