import { describe, expect, it } from 'vitest';
import { parseAuditLine, type AuditRecord } from '../../../src/cli/audit/record.js';
import { AuditSummary, formatSummary, ignoredText, latencyFigures, percentile } from '../../../src/cli/audit/summary.js';
import { jsonLine, type LineFields } from './fixtures.js';

let n = 0;
function record(fields: Partial<LineFields>): AuditRecord {
  n += 1;
  const parsed = parseAuditLine(jsonLine({ conversationId: `c${n}`, ts: '2026-03-01T10:00:00Z', ...fields }));
  if (parsed.kind !== 'record') throw new Error('fixture is not a record');
  return parsed.record;
}

describe('percentile (nearest rank)', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
  it.each<[readonly number[], number, number]>([
    [[7], 50, 7],
    [[7], 99, 7],
    [[1, 2], 50, 1],
    [[1, 2], 51, 2],
    [[1, 2, 3, 4], 90, 4],
    [hundred, 50, 50],
    [hundred, 90, 90],
    [hundred, 99, 99],
    [hundred, 100, 100],
    [hundred, 0, 1],
  ])('%j p%d = %d', (sorted, p, expected) => {
    expect(percentile(sorted, p)).toBe(expected);
  });
});

describe('latencyFigures', () => {
  it('is undefined without samples', () => {
    expect(latencyFigures([])).toBeUndefined();
  });

  it('sorts before ranking and reports the max', () => {
    expect(latencyFigures([30, 10, 20, 1000, 40, 50, 60, 70, 80, 90])).toEqual({ p50: 50, p90: 90, p99: 1000, max: 1000 });
  });
});

describe('AuditSummary and formatSummary', () => {
  it('counts by event, by reason and by CRM outcome, and takes latency of the enriched only', () => {
    const s = new AuditSummary();
    for (const ms of [10, 20, 30, 40]) s.add(record({ latencyMs: { total: ms } }));
    s.add(record({ event: 'skipped', reason: 'crm-not-found', crm: 'miss', latencyMs: { total: 999 } }));
    s.add(record({ event: 'skipped', reason: 'crm-not-found', crm: 'miss', latencyMs: { total: 999 } }));
    s.add(record({ event: 'skipped', reason: 'no-customer', crm: undefined, latencyMs: { total: 1 } }));
    s.add(record({ event: 'failed', reason: 'write-failed', crm: 'stale', latencyMs: { total: 5000 } }));
    s.unreadable.push(3, 9);
    s.incomplete = 1;
    expect(s.total).toBe(8);
    expect(formatSummary(s)).toBe(
      [
        'Summary: 8 decisions',
        '  enriched      4',
        '  skipped       3   crm-not-found 2, no-customer 1',
        '  failed        1   write-failed 1',
        '  crm             cache-hit 4, not-found 2, stale 1',
        '  latency         enriched, total: p50 20.0 ms, p90 40.0 ms, p99 40.0 ms, max 40.0 ms (4 samples)',
        '  ignored         2 unreadable lines (line 3, 9), 1 incomplete last line',
        '',
      ].join('\n'),
    );
  });

  it('says so when nothing matched, and names the filters', () => {
    const text = formatSummary(new AuditSummary(), { conversationId: '447a0cc8', sinceMs: Date.parse('2026-03-01T08:00:00Z') });
    expect(text).toBe('Summary: 0 decisions (conversation 447a0cc8, since 2026-03-01 08:00:00Z)\n');
  });

  it('lists unknown events after the known ones', () => {
    const s = new AuditSummary();
    s.add(record({ event: 'deferred' as LineFields['event'] }));
    s.add(record({ event: 'failed', reason: 'x' }));
    s.add(record({}));
    const lines = formatSummary(s).split('\n');
    expect(lines.slice(1, 4).map((l) => l.trim().split(/\s+/)[0])).toEqual(['enriched', 'failed', 'deferred']);
  });
});

describe('ignoredText', () => {
  it.each<[number[], number, string]>([
    [[], 0, ''],
    [[4], 0, '1 unreadable line (line 4)'],
    [[1, 2, 3, 4, 5, 6, 7], 0, '7 unreadable lines (line 1, 2, 3, 4, 5, ...)'],
    [[], 1, '1 incomplete last line'],
    [[2], 2, '1 unreadable line (line 2), 2 incomplete last lines'],
  ])('%j and %d incomplete', (unreadable, incomplete, expected) => {
    expect(ignoredText({ unreadable, incomplete })).toBe(expected);
  });
});

describe('dry-run lines in the summary', () => {
  it('counts would-enrich after enriched and says nothing was written', () => {
    const s = new AuditSummary();
    const line = (event: string, id: string): AuditRecord => ({ raw: '', ts: '2026-03-01T00:00:00Z', time: 0, event, conversationId: id, writtenKeys: 1, dropped: [], crm: 'fetched' });
    s.add(line('would-enrich', 'a'));
    s.add(line('skipped', 'b'));
    s.add(line('would-enrich', 'c'));
    const text = formatSummary(s);
    expect(text).toMatch(/^ {2}would-enrich +2$/m);
    expect(text.indexOf('would-enrich')).toBeLessThan(text.indexOf('skipped'));
    expect(text).toMatch(/^ {2}dry run +2 conversations would have been enriched \(run --dry-run: nothing was written\)$/m);
  });
});
