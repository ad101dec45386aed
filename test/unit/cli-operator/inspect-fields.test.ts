import { describe, expect, it } from 'vitest';
import { fieldLines, planFields, rawKind } from '../../../src/cli/operator/inspect-fields.js';
import { hashValue } from '../../../src/sinks/audit.js';

const KEY = Buffer.alloc(32, 7);
import { schema } from './fixtures.js';

const MAP = {
  'Flow.accountId': '/account/id',
  'Flow.tier': '/tier',
  'Flow.balance': '/balance',
  'Flow.since': '/since',
  'Flow.tags': '/tags',
  'Flow.shoe': '/shoe',
};

describe('planFields', () => {
  const record = { account: { id: 'ACC-1' }, tier: 'platinum', balance: '12.50', since: null, tags: ['a'], shoe: 44 };

  it('explains every mapped field and keeps exactly what the schema accepts', () => {
    const plan = planFields(record, MAP, schema(), 'crm.', KEY);
    const byInput = Object.fromEntries(plan.rows.map((r) => [r.input, r]));
    expect(byInput['Flow.accountId']).toEqual({
      input: 'Flow.accountId',
      pointer: '/account/id',
      raw: 'string (5 chars)',
      schemaType: 'string, required, maxLength 12',
      outcome: { kind: 'written', key: 'crm.accountId', hash: hashValue('ACC-1', KEY), length: 5 },
    });
    expect(byInput['Flow.tier']?.outcome).toEqual({ kind: 'dropped', reason: 'not-in-enum' });
    expect(byInput['Flow.balance']?.outcome).toEqual({ kind: 'written', key: 'crm.balance', hash: hashValue('12.5', KEY), length: 4 });
    expect(byInput['Flow.since']).toMatchObject({ raw: 'null', outcome: { kind: 'absent' } });
    expect(byInput['Flow.tags']).toMatchObject({ raw: 'array', outcome: { kind: 'dropped', reason: 'unsupported-type' } });
    expect(byInput['Flow.shoe']).toMatchObject({ raw: 'number', schemaType: 'not in the schema', outcome: { kind: 'dropped', reason: 'not-in-schema' } });
    // Required but not mapped: listed after the mapped ones.
    expect(plan.rows.at(-1)).toMatchObject({ input: 'Flow.case', pointer: undefined, outcome: { kind: 'dropped', reason: 'missing (not mapped)' } });
    expect(plan.attributes).toEqual({ 'crm.accountId': 'ACC-1', 'crm.balance': '12.5' });
  });

  it('prints hashes and lengths, never the values', () => {
    const text = fieldLines(planFields(record, MAP, schema(), 'crm.', KEY).rows).join('\n');
    expect(text).toContain(`write crm.accountId = hmac:${hashValue('ACC-1', KEY)} (5 chars)`);
    expect(text).toContain('Flow.case <- (not mapped)');
    expect(text).toContain('not written: no value in the CRM answer');
    for (const value of ['ACC-1', 'platinum', '12.5', '44']) expect(text).not.toContain(value);
  });

  it('marks a missing required field that is mapped but absent', () => {
    const plan = planFields({}, { 'Flow.accountId': '/account/id' }, schema(), 'x_', KEY);
    expect(plan.rows[0]).toMatchObject({ raw: 'absent', outcome: { kind: 'dropped', reason: 'missing' } });
    expect(plan.attributes).toEqual({});
  });
});

describe('rawKind', () => {
  it.each<[unknown, boolean, string]>([
    [undefined, false, 'absent'],
    [null, true, 'null'],
    ['héllo', true, 'string (5 chars)'],
    ['😀', true, 'string (1 char)'],
    [3, true, 'number'],
    [false, true, 'boolean'],
    [[1], true, 'array'],
    [{ a: 1 }, true, 'object'],
  ])('%o', (value, present, kind) => {
    expect(rawKind(value, present)).toBe(kind);
  });
});
