/** `auditCommand` in process over real files: output, filters, JSON mode, follow, errors. */
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditCommand, type AuditArgs } from '../../../src/cli/audit-command.js';
import { UsageError } from '../../../src/cli/exit.js';
import { waitFor } from '../../helpers/wait-for.js';
import { jsonLine } from '../../unit/cli-audit/fixtures.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const L1 = jsonLine({ conversationId: '447a0cc8-aaaa-4aaa-8aaa-000000000001', ts: '2026-03-01T09:00:00Z', latencyMs: { total: 10 } });
const L2 = jsonLine({ conversationId: '890220a7-bbbb-4bbb-8bbb-000000000002', ts: '2026-03-01T11:30:00Z', event: 'skipped', reason: 'crm-not-found', crm: 'not-found', attributes: {} });
const L3 = jsonLine({ conversationId: '447a0cc8-aaaa-4aaa-8aaa-000000000001', ts: '2026-03-01T11:45:00Z', latencyMs: { total: 30 } });

function captureIo(): { io: { stdout: PassThrough; stderr: PassThrough }; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  return { io: { stdout, stderr }, out: () => out, err: () => err };
}

describe('auditCommand', () => {
  let dir: string;
  let file: string;
  const args = (more: Partial<AuditArgs> = {}): AuditArgs => ({ file, follow: false, json: false, ...more });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'audit-cmd-'));
    file = join(dir, 'audit.jsonl');
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints a line per decision, then the summary, and reports what it ignored', async () => {
    writeFileSync(file, `${L1}\nnot json\n${L2}\n${L3}\n${L1.slice(0, 40)}`);
    const c = captureIo();
    expect(await auditCommand(args(), c.io, { now: NOW })).toBe(0);
    const lines = c.out().split('\n');
    expect(lines.slice(0, 3).map((l) => l.split(/\s+/).slice(2, 4).join(' '))).toEqual(['enriched -', 'skipped crm-not-found', 'enriched -']);
    expect(c.out()).toContain('Summary: 3 decisions\n');
    expect(c.out()).toContain('  skipped       1   crm-not-found 1\n');
    expect(c.out()).toContain('p50 10.0 ms, p90 30.0 ms, p99 30.0 ms, max 30.0 ms (2 samples)');
    expect(c.out()).toContain('ignored         1 unreadable line (line 2), 1 incomplete last line');
    expect(c.err()).toBe('');
  });

  it.each<[string, Partial<AuditArgs>, string[]]>([
    ['--conversation with the short id', { conversationId: '447a0cc8' }, ['2026-03-01 09:00:00Z', '2026-03-01 11:45:00Z']],
    ['--since as an age', { since: '1h' }, ['2026-03-01 11:30:00Z', '2026-03-01 11:45:00Z']],
    ['--since as a time', { since: '2026-03-01T11:40:00Z' }, ['2026-03-01 11:45:00Z']],
    ['both', { conversationId: '447a0cc8', since: '1h' }, ['2026-03-01 11:45:00Z']],
    ['a filter nothing passes', { conversationId: 'ffff' }, []],
  ])('filters with %s', async (_name, more, times) => {
    writeFileSync(file, `${L1}\n${L2}\n${L3}\n`);
    const c = captureIo();
    expect(await auditCommand(args(more), c.io, { now: NOW })).toBe(0);
    const records = c.out().split('\n').filter((l) => /^\d{4}-/.test(l));
    expect(records.map((l) => l.slice(0, 20))).toEqual(times);
    expect(c.out()).toContain(`Summary: ${times.length} decision`);
  });

  it('prints only the kept lines, unchanged, with --json; what it ignored goes to stderr', async () => {
    writeFileSync(file, `${L1}\ngarbage\n${L2}\n${L3}\n`);
    const c = captureIo();
    expect(await auditCommand(args({ json: true, conversationId: '447a' }), c.io, { now: NOW })).toBe(0);
    expect(c.out()).toBe(`${L1}\n${L3}\n`);
    expect(c.err()).toBe('genesys-enricher: audit: ignored 1 unreadable line (line 2)\n');
  });

  it('handles an empty file', async () => {
    writeFileSync(file, '');
    const c = captureIo();
    expect(await auditCommand(args(), c.io)).toBe(0);
    expect(c.out()).toBe('Summary: 0 decisions\n');
  });

  it.each([
    ['a missing file', 'nope.jsonl', 'no such file'],
    ['a directory', '.', 'it is a directory'],
  ])('exits 1 for %s with a clear message', async (_name, name, reason) => {
    const c = captureIo();
    const target = join(dir, name);
    expect(await auditCommand(args({ file: target }), c.io)).toBe(1);
    expect(c.err()).toBe(`genesys-enricher: audit: cannot read ${target}: ${reason}\n`);
    expect(c.out()).toBe('');
  });

  it('exits 1 for a missing file with --follow too', async () => {
    const c = captureIo();
    expect(await auditCommand(args({ file: join(dir, 'nope'), follow: true }), c.io, { pollMs: 10 })).toBe(1);
  });

  it('throws a UsageError (exit 2) for a bad --since, before touching the file', async () => {
    const c = captureIo();
    await expect(auditCommand(args({ file: join(dir, 'nope'), since: 'yesterday' }), c.io)).rejects.toBeInstanceOf(UsageError);
  });

  it('follows appended lines, across a truncation, until stopped, then prints the summary', async () => {
    writeFileSync(file, `${L1}\n`);
    const c = captureIo();
    const stop = new AbortController();
    const run = auditCommand(args({ follow: true }), c.io, { signal: stop.signal, pollMs: 10 });
    await waitFor(() => c.out().includes('09:00:00Z'));
    expect(c.out()).not.toContain('Summary');
    appendFileSync(file, L2.slice(0, 25));
    appendFileSync(file, `${L2.slice(25)}\n`);
    await waitFor(() => c.out().includes('11:30:00Z'));
    writeFileSync(file, `${L3}\n`); // truncated and rewritten in place
    await waitFor(() => c.out().includes('11:45:00Z'));
    stop.abort();
    expect(await run).toBe(0);
    expect(c.out()).toContain('Summary: 3 decisions\n');
  });

  it('stops quietly when the reader of its output goes away (EPIPE), even while following', async () => {
    writeFileSync(file, `${L1}\n`);
    const c = captureIo();
    const run = auditCommand(args({ follow: true }), c.io, { pollMs: 10 });
    await waitFor(() => c.out().includes('09:00:00Z'));
    c.io.stdout.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    expect(await run).toBe(0);
    appendFileSync(file, `${L2}\n`);
    expect(c.out()).not.toContain('Summary');
    expect(c.err()).toBe('');
  });
});
