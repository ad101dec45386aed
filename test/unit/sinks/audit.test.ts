import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { createAuditLog, hashAttributes, hashValue, type AuditLine } from '../../../src/sinks/audit.js';

const KEY = Buffer.alloc(32, 1);

const line = (i: number): AuditLine => ({
  ts: new Date(0).toISOString(),
  event: 'enriched',
  conversationId: `c-${i}`,
  participantId: 'p',
  traceId: `t-${i}`,
  attributes: hashAttributes({ accountId: `ACC-${i}` }, KEY),
  crm: 'cache-hit',
  latencyMs: { crm: 1, write: 2, total: 3 },
});

describe('audit log', () => {
  it('hashes values to 12 hex characters, never the value itself', () => {
    expect(hashValue('ACC-1', KEY)).toMatch(/^[0-9a-f]{12}$/);
    expect(hashValue('ACC-1', KEY)).not.toBe(hashValue('ACC-2', KEY));
    expect(JSON.stringify(hashAttributes({ a: 'ACC-1' }, KEY))).not.toContain('ACC-1');
  });

  it('keys the hash: a dictionary of plain SHA-256 hashes cannot reverse a low-entropy value', () => {
    const plain = createHash('sha256').update('gold').digest('hex').slice(0, 12);
    expect(hashValue('gold', KEY)).not.toBe(plain);
    expect(hashValue('gold', KEY)).not.toBe(hashValue('gold', Buffer.alloc(32, 2)));
    expect(hashValue('gold', KEY)).toBe(hashValue('gold', Buffer.alloc(32, 1)));
  });

  it('has every line on disk once close() resolves, after a burst', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'audit-')), 'audit.jsonl');
    const log = createAuditLog(file);
    for (let i = 0; i < 20_000; i++) log.write(line(i));
    await log.close();
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(20_000);
    expect(JSON.parse(lines[19_999]!)).toMatchObject({ conversationId: 'c-19999', event: 'enriched' });
  });
});

describe('AuditIndex', () => {
  it('knows the enriched trace ids of the file and of its own lines, within a bound', async () => {
    const { AuditIndex } = await import('../../../src/sinks/audit.js');
    const file = join(mkdtempSync(join(tmpdir(), 'audit-index-')), 'audit.jsonl');
    const log = createAuditLog(file);
    log.write(line(1));
    log.write({ ...line(2), event: 'skipped', reason: 'crm-not-found' });
    await log.close();
    const index = new AuditIndex(file, 60_000, 3);
    expect(index.has('t-1')).toBe(true);
    expect(index.has('t-2')).toBe(false);
    for (let i = 10; i < 20; i++) index.add(line(i));
    expect(index.size).toBe(3);
    expect(index.has('t-19')).toBe(true);
  });
});

describe('AuditIndex: recent decisions for a restart', () => {
  it('hands over conversations enriched or skipped within the window, newest last, at most max, once', async () => {
    const { AuditIndex } = await import('../../../src/sinks/audit.js');
    const file = join(mkdtempSync(join(tmpdir(), 'audit-')), 'audit.jsonl');
    const log = createAuditLog(file);
    const at = (msAgo: number) => new Date(Date.now() - msAgo).toISOString();
    const entry = (conversationId: string, event: AuditLine['event'], msAgo: number): AuditLine => ({ ...line(0), conversationId, event, ts: at(msAgo) });
    log.write(entry('too-old', 'enriched', 3_600_000));
    log.write(entry('a', 'enriched', 50_000));
    log.write(entry('b', 'skipped', 40_000));
    log.write(entry('c', 'failed', 30_000));
    log.write(entry('d', 'enriched', 20_000));
    log.write(entry('a', 'skipped', 10_000));
    await log.close();
    const index = new AuditIndex(file, 60_000, 100, { maxAgeMs: 60_000, max: 3 });
    expect(index.takeRecentlyDecided()).toEqual(['b', 'd', 'a']);
    expect(index.takeRecentlyDecided()).toEqual([]);
    expect(new AuditIndex(file, 60_000, 100, { maxAgeMs: 60_000, max: 2 }).takeRecentlyDecided()).toEqual(['d', 'a']);
  });
});
