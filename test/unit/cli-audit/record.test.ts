import { describe, expect, it } from 'vitest';
import { parseAuditLine } from '../../../src/cli/audit/record.js';
import { jsonLine } from './fixtures.js';

const TS = '2026-03-01T05:08:27.123Z';

describe('parseAuditLine', () => {
  it.each<[string, string, string]>([
    ['an empty line', '', 'blank'],
    ['spaces only', '   \t', 'blank'],
    ['text', 'hello world', 'garbage:not JSON'],
    ['half a JSON object', '{"ts":"2026-03-01T05:08:27Z","event":"enr', 'garbage:not JSON'],
    ['a JSON number', '42', 'garbage:not an audit line'],
    ['a JSON array', '[1,2]', 'garbage:not an audit line'],
    ['null', 'null', 'garbage:not an audit line'],
    ['no ts', '{"event":"enriched","conversationId":"c1"}', 'garbage:not an audit line'],
    ['a ts that is no time', '{"ts":"yesterday","event":"enriched","conversationId":"c1"}', 'garbage:not an audit line'],
    ['a numeric ts', '{"ts":1700000000000,"event":"enriched","conversationId":"c1"}', 'garbage:not an audit line'],
    ['no event', `{"ts":"${TS}","conversationId":"c1"}`, 'garbage:not an audit line'],
    ['an empty conversation id', `{"ts":"${TS}","event":"skipped","conversationId":""}`, 'garbage:not an audit line'],
    ['the least an audit line has', `{"ts":"${TS}","event":"skipped","conversationId":"c1"}`, 'record'],
    ['an unknown event from a newer version', `{"ts":"${TS}","event":"deferred","conversationId":"c1"}`, 'record'],
    ['a full line', jsonLine({ ts: TS, conversationId: 'c1' }), 'record'],
  ])('%s', (_name, text, expected) => {
    const parsed = parseAuditLine(text);
    expect(parsed.kind === 'garbage' ? `garbage:${parsed.why}` : parsed.kind).toBe(expected);
  });

  it('keeps what the reader shows from a full line', () => {
    const text = jsonLine({ ts: TS, conversationId: 'c1', dropped: [{ field: 'Flow.vip', reason: 'not-boolean' }] });
    const parsed = parseAuditLine(`  ${text}  `);
    expect(parsed).toEqual({
      kind: 'record',
      record: {
        raw: text,
        ts: TS,
        time: Date.parse(TS),
        event: 'enriched',
        conversationId: 'c1',
        queueId: 'a1b2c3d4-0000-4000-8000-000000000001',
        media: 'call',
        crm: 'cache-hit',
        writtenKeys: 2,
        dropped: [{ field: 'Flow.vip', reason: 'not-boolean' }],
        totalMs: 10,
      },
    });
  });

  it.each<[string, Record<string, unknown>, Record<string, unknown>]>([
    ['a reason', { event: 'skipped', reason: 'crm-not-found' }, { reason: 'crm-not-found' }],
    ['a non-string crm', { crm: 5 }, { crm: undefined }],
    ['attributes that are not an object', { attributes: ['a'] }, { writtenKeys: 0 }],
    ['only the marker written', { attributes: { 'x.enricher.traceId': 'h' } }, { writtenKeys: 0 }],
    ['dropped entries without a field', { dropped: [{ reason: 'x' }, 'junk', { field: 'Flow.a' }] }, { dropped: [{ field: 'Flow.a', reason: '' }] }],
    ['a negative latency', { latencyMs: { total: -1 } }, { totalMs: undefined }],
    ['a latency that is a string', { latencyMs: { total: '12' } }, { totalMs: undefined }],
    ['no latency at all', { latencyMs: undefined }, { totalMs: undefined }],
  ])('tolerates %s', (_name, change, expected) => {
    const obj = { ...JSON.parse(jsonLine({ ts: TS, conversationId: 'c1' })), ...change };
    const parsed = parseAuditLine(JSON.stringify(obj));
    if (parsed.kind !== 'record') throw new Error(`expected a record, got ${parsed.kind}`);
    const present = Object.fromEntries(Object.entries(expected).filter(([, v]) => v !== undefined));
    const absent = Object.keys(expected).filter((k) => expected[k] === undefined);
    expect(parsed.record).toMatchObject(present);
    expect(absent.filter((k) => k in parsed.record)).toEqual([]);
  });
});
