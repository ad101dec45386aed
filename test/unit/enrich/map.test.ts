import { describe, expect, it } from 'vitest';
import { attributeKey, isJsonPointer, mapRecord, resolvePointer } from '../../../src/enrich/map.js';

/** The example document of RFC 6901 section 5. */
const RFC = {
  foo: ['bar', 'baz'],
  '': 0,
  'a/b': 1,
  'c%d': 2,
  'e^f': 3,
  'g|h': 4,
  'i\\j': 5,
  'k"l': 6,
  ' ': 7,
  'm~n': 8,
};

const CRM = {
  account: { id: 'A-1001', tier: 'gold', since: '2019-04-01', open: true, balance: 12.5, tags: ['vip', 'eu'] },
  contact: { email: null, 'first~name': 'Ada', 'a/b': 'slash' },
  '~1': 'tilde-one',
};

describe('resolvePointer', () => {
  it.each([
    ['', RFC],
    ['/foo', ['bar', 'baz']],
    ['/foo/0', 'bar'],
    ['/', 0],
    ['/a~1b', 1],
    ['/c%d', 2],
    ['/e^f', 3],
    ['/g|h', 4],
    ['/i\\j', 5],
    ['/k"l', 6],
    ['/ ', 7],
    ['/m~0n', 8],
  ])('RFC 6901 example %j', (pointer, expected) => {
    expect(resolvePointer(RFC, pointer)).toEqual(expected);
  });

  it.each([
    ['/account/id', 'A-1001'],
    ['/account/tags/1', 'eu'],
    ['/account/open', true],
    ['/account/balance', 12.5],
    ['/contact/email', null],
    ['/contact/first~0name', 'Ada'],
    ['/contact/a~1b', 'slash'],
    ['/~01', 'tilde-one'],
  ])('finds %s', (pointer, expected) => {
    expect(resolvePointer(CRM, pointer)).toEqual(expected);
  });

  it.each([
    ['a missing key', '/account/nope'],
    ['past the end of an array', '/account/tags/2'],
    ['the "-" index', '/account/tags/-'],
    ['an index with a leading zero', '/account/tags/01'],
    ['a non-numeric index', '/account/tags/length'],
    ['a negative index', '/account/tags/-1'],
    ['into a string', '/account/id/0'],
    ['into null', '/contact/email/x'],
    ['an inherited property', '/constructor'],
    ['an inherited method', '/account/toString'],
    ['a pointer without a leading slash', 'account/id'],
    ['a bad escape', '/contact/first~2name'],
    ['a trailing tilde', '/account~'],
  ])('gives undefined for %s', (_name, pointer) => {
    expect(resolvePointer(CRM, pointer)).toBeUndefined();
  });

  it('handles documents that are not objects', () => {
    expect(resolvePointer(null, '/a')).toBeUndefined();
    expect(resolvePointer('text', '/0')).toBeUndefined();
    expect(resolvePointer(undefined, '')).toBeUndefined();
    expect(resolvePointer([[1, 2]], '/0/1')).toBe(2);
  });
});

describe('isJsonPointer', () => {
  it.each([
    ['', true],
    ['/', true],
    ['/a/b', true],
    ['/a~0~1', true],
    ['a', false],
    ['#/a', false],
    ['/a~', false],
    ['/a~x', false],
  ])('%j -> %s', (pointer, expected) => {
    expect(isJsonPointer(pointer)).toBe(expected);
  });
});

describe('mapRecord', () => {
  it('maps input names to raw values and leaves out what is not there', () => {
    const out = mapRecord(CRM, {
      'Flow.accountId': '/account/id',
      'Flow.tier': '/account/tier',
      'Flow.balance': '/account/balance',
      'Flow.email': '/contact/email',
      'Flow.missing': '/account/nope',
      'Flow.bad': 'account/id',
    });
    expect(out).toEqual({ 'Flow.accountId': 'A-1001', 'Flow.tier': 'gold', 'Flow.balance': 12.5, 'Flow.email': null });
    expect(Object.keys(out)).toEqual(['Flow.accountId', 'Flow.tier', 'Flow.balance', 'Flow.email']);
  });

  it('keeps any input name as a plain own key', () => {
    const out = mapRecord({ x: 'v' }, { ['__proto__']: '/x', constructor: '/x' });
    expect(Object.keys(out).sort()).toEqual(['__proto__', 'constructor']);
    expect(Object.getPrototypeOf(out)).toBeNull();
  });

  it('gives an empty result for a record that is not an object', () => {
    expect(mapRecord(undefined, { 'Flow.a': '/a' })).toEqual({});
    expect(mapRecord('x', { 'Flow.all': '' })).toEqual({ 'Flow.all': 'x' });
  });
});

describe('attributeKey', () => {
  it.each([
    ['Flow.accountId', '', 'accountId'],
    ['Flow.accountId', 'crm.', 'crm.accountId'],
    ['accountId', 'crm_', 'crm_accountId'],
    ['flow.accountId', '', 'flow.accountId'],
    ['Flow.Flow.x', '', 'Flow.x'],
    ['Flow.', 'p', 'p'],
  ])('%s with prefix %j -> %s', (name, prefix, expected) => {
    expect(attributeKey(name, prefix)).toBe(expected);
  });
});
