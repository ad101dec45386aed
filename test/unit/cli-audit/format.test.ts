import { describe, expect, it } from 'vitest';
import { clean, formatMs, formatRecord, formatTime } from '../../../src/cli/audit/format.js';
import { parseAuditLine, type AuditRecord } from '../../../src/cli/audit/record.js';
import { jsonLine, type LineFields } from './fixtures.js';

function record(fields: LineFields): AuditRecord {
  const parsed = parseAuditLine(jsonLine(fields));
  if (parsed.kind !== 'record') throw new Error('fixture is not a record');
  return parsed.record;
}

const CONV = '447a0cc8-1111-4222-8333-444455556666';
const TS = '2026-03-01T05:08:27.500Z';

describe('formatRecord', () => {
  it.each<[string, Partial<LineFields>, string]>([
    [
      'an enrichment',
      {},
      '2026-03-01 05:08:27Z  enriched  -                     447a0cc8  q=a1b2c3d4  call      crm=cache-hit  written=2  10.0 ms',
    ],
    [
      'an enrichment that dropped fields',
      { dropped: [{ field: 'Flow.tier', reason: 'not-in-enum' }, { field: 'Flow.vip', reason: 'not-boolean' }], latencyMs: { total: 12.345 } },
      '2026-03-01 05:08:27Z  enriched  -                     447a0cc8  q=a1b2c3d4  call      crm=cache-hit  written=2  dropped=Flow.tier(not-in-enum),Flow.vip(not-boolean)  12.3 ms',
    ],
    [
      'a skip',
      { event: 'skipped', reason: 'crm-not-found', crm: 'miss', attributes: {}, media: 'email', latencyMs: { crm: 4, total: 4.04 } },
      '2026-03-01 05:08:27Z  skipped   crm-not-found         447a0cc8  q=a1b2c3d4  email     crm=not-found  written=0  4.0 ms',
    ],
    [
      'a failure without queue, media or crm',
      { event: 'failed', reason: 'schema-unavailable', attributes: {}, queueId: undefined, media: undefined, crm: undefined },
      '2026-03-01 05:08:27Z  failed    schema-unavailable    447a0cc8  q=-         -         crm=-        written=0  10.0 ms',
    ],
  ])('%s', (_name, fields, expected) => {
    expect(formatRecord(record({ conversationId: CONV, ts: TS, ...fields }))).toBe(expected);
  });

  it('prints no attribute value, not even its hash', () => {
    const line = formatRecord(record({ conversationId: CONV, ts: TS }));
    expect(line).not.toContain('f00ba4c0ffee');
    expect(line).not.toContain('crm.accountId');
  });

  it('keeps terminal escapes from a tampered file off the screen', () => {
    const line = formatRecord(record({ conversationId: '\u001b[2J\u001b[31mX', ts: TS, event: 'skipped', reason: 'bad\u0007\nreason' }));
    // eslint-disable-next-line no-control-regex -- asserting that none are left
    expect(line).not.toMatch(/[\u0000-\u001f]/);
    expect(line).toContain('bad??reason');
  });
});

describe('clean', () => {
  it.each<[string, string]>([
    ['plain', 'plain'],
    ['tab\there', 'tab?here'],
    ['\u009bcsi', '?csi'],
    ['x'.repeat(60), 'x'.repeat(60)],
    ['x'.repeat(61), `${'x'.repeat(59)}…`],
  ])('%j', (input, expected) => {
    expect(clean(input)).toBe(expected);
  });
});

describe('formatTime and formatMs', () => {
  it.each<[number, string]>([
    [0, '1970-01-01 00:00:00Z'],
    [Date.parse('2026-12-31T23:59:59.999Z'), '2026-12-31 23:59:59Z'],
  ])('formatTime(%d)', (ms, expected) => {
    expect(formatTime(ms)).toBe(expected);
  });

  it.each<[number | undefined, string]>([
    [undefined, '-'],
    [0, '0.0 ms'],
    [12.25, '12.3 ms'],
    [1234.56, '1234.6 ms'],
  ])('formatMs(%s)', (ms, expected) => {
    expect(formatMs(ms)).toBe(expected);
  });
});
