/** The judge itself, on hand-made records: each fault it exists to catch, and what it must excuse. */
import { describe, expect, it } from 'vitest';
import { parseAuditStrict } from './audit-file.js';
import { expectedAttributes, stringForm } from './expected-values.js';
import { customerNeedles, findLeaks, secretNeedles } from './leaks.js';
import { judge, type OracleInput } from './oracle.js';
import type { ConversationTruth, WriteFact } from './truth.js';

const SCHEMA = {
  properties: {
    'Flow.accountId': { type: 'string', maxLength: 10 },
    'Flow.tier': { type: 'string', enum: ['gold', 'silver'] },
    'Flow.balance': { type: 'number' },
    'Flow.tickets': { type: 'integer' },
    'Flow.vip': { type: 'boolean' },
    'Flow.lastAt': { type: 'string', format: 'date-time' },
  },
};
const MAP = { 'Flow.accountId': '/account/id', 'Flow.tier': '/account/tier', 'Flow.balance': '/balance', 'Flow.vip': '/vip', 'Flow.lastAt': '/lastAt' };
const RECORDS: Record<string, unknown> = {
  'CUS-1': { account: { id: 'ACC-1', tier: 'gold' }, balance: 12.5, vip: false, lastAt: '2026-01-02T03:04:05Z' },
  'CUS-2': { account: { id: 'ACC-2', tier: 'platinum' }, balance: 3, vip: true },
};
const Q = 'queue-1';

function conv(id: string, over: Partial<ConversationTruth> = {}): ConversationTruth {
  return {
    id, queueId: Q, queueIds: [Q], media: 'call', customerParticipantId: `${id}-cust`, agentConnected: true, connectedAt: 1_000,
    identifiers: [{ source: 'address', kind: 'phone', value: '+4915100000001' }], crmCustomerId: 'CUS-1', ...over,
  };
}
const GOOD = { 'crm.accountId': 'ACC-1', 'crm.tier': 'gold', 'crm.balance': '12.5', 'crm.vip': 'false', 'crm.lastAt': '2026-01-02T03:04:05.000Z' };
function write(id: string, trace: string, attrs: Record<string, string> = GOOD, over: Partial<WriteFact> = {}): WriteFact {
  return { conversationId: id, participantId: `${id}-cust`, attributes: { ...attrs, 'crm.enricher.traceId': trace }, at: 2_000, ...over };
}
const line = (id: string, trace: string, event = 'enriched'): string => `${JSON.stringify({ ts: 't', event, conversationId: id, traceId: trace })}\n`;

function run(over: Partial<OracleInput>): ReturnType<typeof judge> {
  return judge({
    truth: [], writes: [], crmRecordOf: (id) => RECORDS[id], watchedQueueIds: new Set([Q]), map: MAP, prefix: 'crm.',
    schemas: [{ from: 0, schema: SCHEMA }], audit: '', ...over,
  });
}

describe('oracle', () => {
  it('accepts one correct write with its audit line', () => {
    const j = run({ truth: [conv('a')], writes: [write('a', 't1')], audit: line('a', 't1') });
    expect(j.missed).toEqual([]);
    expect(j.wrong).toEqual([]);
    expect(j.written).toEqual(['a']);
  });

  it.each([
    ['a missing write', { writes: [], audit: '' }, 'missed'],
    ['two writes with different markers', { writes: [write('a', 't1'), write('a', 't2')], audit: line('a', 't1') }, 'doubled'],
    ['a value of another customer', { writes: [write('a', 't1', { ...GOOD, 'crm.accountId': 'ACC-2' })], audit: line('a', 't1') }, 'wrong'],
    ['a write to the agent', { writes: [write('a', 't1', GOOD, { participantId: 'agent-1' })], audit: line('a', 't1') }, 'wrong'],
    ['a field the schema drops, written', { writes: [write('a', 't1', { ...GOOD, 'crm.tickets': 'x' })], audit: line('a', 't1') }, 'wrong'],
    ['no audit line for a write', { writes: [write('a', 't1')], audit: '' }, 'wrong'],
    ['an audit line naming another trace', { writes: [write('a', 't1')], audit: line('a', 't9') }, 'wrong'],
  ] as const)('catches %s', (_name, over, field) => {
    const j = run({ truth: [conv('a')], ...over });
    expect(j[field]).toEqual(field === 'wrong' ? [expect.objectContaining({ id: 'a' })] : ['a']);
  });

  it('counts a repeated identical write (same marker, same values) as one', () => {
    const j = run({ truth: [conv('a')], writes: [write('a', 't1'), write('a', 't1')], audit: line('a', 't1') });
    expect(j.doubled).toEqual([]);
  });

  it.each([
    ['never-connected', { agentConnected: false }],
    ['queue-not-watched', { queueIds: ['other'] }],
    ['no-readable-identifier', { media: 'chat', identifiers: [{ source: 'address', kind: 'email', value: 'a@example.com' }] }],
    ['crm-unknown', { crmCustomerId: undefined }],
  ] as const)('excuses %s only from the records, and flags a write there', (excuse, over) => {
    const t = conv('a', over as Partial<ConversationTruth>);
    expect(run({ truth: [t] }).excused.get(excuse)).toBe(1);
    expect(run({ truth: [t], writes: [write('a', 't1')], audit: line('a', 't1') }).wrong).toHaveLength(1);
  });

  it('excuses a conversation only when its whole connected life lies inside a hold (stretched by its grace)', () => {
    const holds = [{ why: 'write-pause', from: 10_000, to: 20_000, graceMs: 2_000 }];
    const inside = conv('a', { connectedAt: 11_000, endedAt: 21_500 });
    expect(run({ truth: [inside], holds }).excused.get('ended-during-write-pause')).toBe(1);
    expect(run({ truth: [inside], holds }).missed).toEqual([]);
    // Connected before the hold, or still live past its grace: it needed a write.
    expect(run({ truth: [conv('b', { connectedAt: 9_000, endedAt: 15_000 })], holds }).missed).toEqual(['b']);
    expect(run({ truth: [conv('c', { connectedAt: 11_000, endedAt: 22_500 })], holds }).missed).toEqual(['c']);
    expect(run({ truth: [conv('d', { connectedAt: 11_000 })], holds }).missed).toEqual(['d']);
  });

  it('accepts the schema before a republish only within the grace', () => {
    const v2 = { properties: { ...SCHEMA.properties, 'Flow.balance': { type: 'integer' } } };
    const schemas = [{ from: 0, schema: SCHEMA }, { from: 10_000, schema: v2 }];
    const early = run({ truth: [conv('a')], writes: [write('a', 't1', GOOD, { at: 10_500 })], audit: line('a', 't1'), schemas, schemaGraceMs: 1_000 });
    expect(early.wrong).toEqual([]);
    const late = run({ truth: [conv('a')], writes: [write('a', 't1', GOOD, { at: 12_000 })], audit: line('a', 't1'), schemas, schemaGraceMs: 1_000 });
    expect(late.wrong).toHaveLength(1);
  });
});

describe('strict audit reading', () => {
  it('reports a cut line and a line that is not an audit line', () => {
    expect(parseAuditStrict('{"ts":"t","event":"enriched","conversationId":"a","traceId":"x"}\n{"ts"').errors).toHaveLength(2);
    expect(parseAuditStrict('{"hello":1}\n').errors).toHaveLength(1);
    expect(parseAuditStrict(line('a', 't')).errors).toEqual([]);
  });
});

describe('expected string forms', () => {
  it.each([
    [3, { type: 'integer' }, '3'],
    [3.5, { type: 'integer' }, undefined],
    ['3', { type: 'number' }, undefined],
    [true, { type: 'boolean' }, 'true'],
    ['2020-02-30x', { type: 'string', format: 'date' }, undefined],
    ['toolongvalue', { type: 'string', maxLength: 5 }, undefined],
    ['gold', { type: 'string', enum: ['silver'] }, undefined],
    [null, { type: 'string' }, undefined],
  ])('%j as %j -> %j', (value, property, expected) => {
    expect(stringForm(value, property)).toBe(expected);
  });

  it('maps a record through pointers', () => {
    expect(expectedAttributes(RECORDS['CUS-2'], MAP, 'crm.', SCHEMA)).toEqual({ 'crm.accountId': 'ACC-2', 'crm.balance': '3', 'crm.vip': 'true' });
  });
});

describe('leak scanner', () => {
  it('finds a phone in any form and a token, and prints neither', () => {
    const truth = [conv('a')];
    const needles = [...customerNeedles(truth), ...secretNeedles({ token: ['tok-abcdef-123'] })];
    const text = 'lookup tel:%2B4915100000001 failed; auth tok-abcdef-123';
    const found = findLeaks({ stderr: text }, needles);
    expect(found.length).toBeGreaterThanOrEqual(2);
    expect(found.join('\n')).not.toContain('tok-abcdef-123');
    expect(found.join('\n')).not.toContain('4915100000001');
    expect(findLeaks({ stderr: 'lookup <redacted> ok' }, needles)).toEqual([]);
  });
});
