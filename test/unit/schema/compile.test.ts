import { describe, expect, it } from 'vitest';
import { EnricherError } from '../../../src/errors.js';
import { compileSchema, SchemaError } from '../../../src/schema/compile.js';

const OPTS = { versionId: 'v1', maxValueLength: 256 };

/** Compiles a one-field schema and coerces one value through it. */
function one(prop: Record<string, unknown>, raw: unknown, maxValueLength = 256) {
  const schema = compileSchema({ type: 'object', properties: { 'Flow.f': prop } }, { versionId: 'v', maxValueLength });
  const { values, dropped } = schema.coerce({ 'Flow.f': raw });
  return values['Flow.f'] ?? dropped[0]?.reason;
}

const S = { type: 'string' };
const N = { type: 'number' };
const I = { type: 'integer' };
const B = { type: 'boolean' };
const D = { type: 'string', format: 'date' };
const DT = { type: 'string', format: 'date-time' };

describe('field coercion', () => {
  it.each([
    // string
    ['string', S, 'A-1001', 'A-1001'],
    ['string: empty', S, '', ''],
    ['string: NUL removed', S, 'A\u0000B', 'AB'],
    ['string: ANSI escape removed (ESC, the rest is text)', S, '\u001b[31mRed', '[31mRed'],
    ['string: CR/LF become one space', S, 'Main St 1\r\nBerlin', 'Main St 1 Berlin'],
    ['string: tab becomes a space', S, 'a\tb', 'a b'],
    ['string: C1 control removed', S, 'a\u0085b\u009bc', 'abc'],
    ['string: DEL removed', S, 'a\u007fb', 'ab'],
    ['string: bidi override removed', S, 'invoice\u202Efdp.exe', 'invoicefdp.exe'],
    ['string: bidi isolates and marks removed', S, '\u2066a\u2069\u200Fb\u061C', 'ab'],
    ['string: lone high surrogate removed', S, 'a\uD800b', 'ab'],
    ['string: lone low surrogate removed', S, 'a\uDC00b', 'ab'],
    ['string: surrogate pair kept', S, 'a😀b', 'a😀b'],
    ['string: only control characters', S, '\u0000\u202E', 'only-control-characters'],
    ['string: cleaned before the enum check', { ...S, enum: ['gold'] }, 'go\u200Eld', 'gold'],
    ['string from 2^53+1', S, JSON.parse('9007199254740993') as number, 'unsafe-integer'],
    ['string from a number', S, 12345, '12345'],
    ['string from a decimal', S, 0.5, '0.5'],
    ['string from a boolean', S, false, 'false'],
    ['string from a bigint', S, 12345678901234567890n, '12345678901234567890'],
    ['string from a Date', S, new Date('2024-03-05T10:00:00Z'), '2024-03-05T10:00:00.000Z'],
    ['string from NaN', S, Number.NaN, 'wrong-type'],
    ['string from an object', S, { a: 1 }, 'wrong-type'],
    ['string from an array', S, ['a'], 'wrong-type'],
    ['string: maxLength', { ...S, maxLength: 3 }, 'abcd', 'too-long'],
    ['string: maxLength exact', { ...S, maxLength: 3 }, 'abc', 'abc'],
    ['string: maxLength counts code points', { ...S, maxLength: 2 }, '😀😀', '😀😀'],
    ['string: minLength', { ...S, minLength: 2 }, 'a', 'too-short'],
    ['string: enum', { ...S, enum: ['gold', 'silver'] }, 'gold', 'gold'],
    ['string: enum miss', { ...S, enum: ['gold', 'silver'] }, 'bronze', 'not-in-enum'],
    ['string: enum is case-sensitive', { ...S, enum: ['gold'] }, 'Gold', 'not-in-enum'],
    ['string: pattern', { ...S, pattern: '^A-\\d+$' }, 'A-1001', 'A-1001'],
    ['string: pattern miss', { ...S, pattern: '^A-\\d+$' }, 'B-1', 'pattern-mismatch'],
    ['string: pattern is unanchored', { ...S, pattern: '\\d' }, 'x1y', 'x1y'],
    ['string: type with null', { type: ['string', 'null'] }, 'x', 'x'],
    ['string: no type', {}, 'x', 'x'],
    ['string: unknown format is an annotation', { ...S, format: 'email' }, 'not an address', 'not an address'],
    // number
    ['number', N, 12.5, '12.5'],
    ['number: integer value', N, 42, '42'],
    ['number: negative zero', N, -0, '0'],
    ['number: numeric string', N, '12.50', '12.5'],
    ['number: string with spaces and sign', N, ' +7 ', '7'],
    ['number: exponent string', N, '1e3', '1000'],
    ['number: leading dot', N, '.5', '0.5'],
    ['number: largest safe integer', N, 9007199254740991, '9007199254740991'],
    ['number: beyond 2^53 its digits are already lost', N, 123456789012345680000, 'unsafe-integer'],
    ['number: 2^53+1 as parsed from JSON', N, JSON.parse('9007199254740993') as number, 'unsafe-integer'],
    ['number: 1e21', N, 1e21, 'unsafe-integer'],
    ['number: big exponent string', N, '1e21', 'unsafe-integer'],
    ['number: big digit string stays exact', N, '9007199254740993', '9007199254740993'],
    ['number: control character', N, '12\u0000', 'not-a-number'],
    ['number: bidi override', N, '\u202E12', 'not-a-number'],
    ['number: bigint', N, 10n, '10'],
    ['number: NaN', N, Number.NaN, 'not-finite'],
    ['number: Infinity', N, Number.POSITIVE_INFINITY, 'not-finite'],
    ['number: overflowing string', N, '1e400', 'not-finite'],
    ['number: text', N, '12abc', 'not-a-number'],
    ['number: empty string', N, '', 'not-a-number'],
    ['number: hex string', N, '0x10', 'not-a-number'],
    ['number: boolean', N, true, 'wrong-type'],
    ['number: minimum', { ...N, minimum: 0 }, -1, 'below-minimum'],
    ['number: maximum', { ...N, maximum: 10 }, 10.5, 'above-maximum'],
    ['number: in range', { ...N, minimum: 0, maximum: 10 }, 10, '10'],
    ['number: enum', { ...N, enum: [1.5, 2] }, '1.50', '1.5'],
    ['number: enum miss', { ...N, enum: [1.5, 2] }, 3, 'not-in-enum'],
    // integer
    ['integer', I, 42, '42'],
    ['integer: whole float', I, 42.0, '42'],
    ['integer: fraction', I, 42.5, 'not-an-integer'],
    ['integer: string', I, '0042', '42'],
    ['integer: negative string', I, '-17', '-17'],
    ['integer: minus zero string', I, '-0', '0'],
    ['integer: plus string', I, '+5', '5'],
    ['integer: big digit string stays exact', I, '123456789012345678901234567890', '123456789012345678901234567890'],
    ['integer: 2^53+1 as parsed from JSON', I, JSON.parse('9007199254740993') as number, 'unsafe-integer'],
    ['integer: -(2^53+1) as parsed from JSON', I, JSON.parse('-9007199254740993') as number, 'unsafe-integer'],
    ['integer: 2^64', I, 2 ** 64, 'unsafe-integer'],
    ['integer: largest safe', I, -9007199254740991, '-9007199254740991'],
    ['integer: 2^53+1 as a digit string stays exact', I, '9007199254740993', '9007199254740993'],
    ['integer: ESC inside', I, '1\u001b2', 'not-a-number'],
    ['integer: whole decimal string', I, '5.0', '5'],
    ['integer: fractional string', I, '5.5', 'not-an-integer'],
    ['integer: exponent string', I, '1e3', '1000'],
    ['integer: text', I, 'five', 'not-a-number'],
    ['integer: bigint', I, -9007199254740993n, '-9007199254740993'],
    ['integer: boolean', I, false, 'wrong-type'],
    ['integer: minimum', { ...I, minimum: 1 }, '0', 'below-minimum'],
    // boolean
    ['boolean true', B, true, 'true'],
    ['boolean false', B, false, 'false'],
    ['boolean "true"', B, 'true', 'true'],
    ['boolean "false"', B, 'false', 'false'],
    ['boolean "TRUE"', B, 'TRUE', 'not-a-boolean'],
    ['boolean "yes"', B, 'yes', 'not-a-boolean'],
    ['boolean 1', B, 1, 'not-a-boolean'],
    ['boolean "1"', B, '1', 'not-a-boolean'],
    // date
    ['date', D, '2024-03-05', '2024-03-05'],
    ['date: leap day', D, '2024-02-29', '2024-02-29'],
    ['date: not a leap year', D, '2023-02-29', 'not-a-date'],
    ['date: 30 February', D, '2024-02-30', 'not-a-date'],
    ['date: month 13', D, '2024-13-01', 'not-a-date'],
    ['date: from a Date', D, new Date('2024-03-05T23:30:00Z'), '2024-03-05'],
    ['date: from an ISO date-time, day as written', D, '1990-05-01T00:00:00+02:00', '1990-05-01'],
    ['date: from an ISO date-time in UTC', D, '2024-03-05T10:00:00.000Z', '2024-03-05'],
    ['date: invalid Date', D, new Date('nope'), 'not-a-date'],
    ['date: free text', D, 'March 5, 2024', 'not-a-date'],
    ['date: other layout', D, '05.03.2024', 'not-a-date'],
    ['date: epoch number', D, 1709632800000, 'wrong-type'],
    // date-time
    ['date-time: UTC', DT, '2024-03-05T10:00:00Z', '2024-03-05T10:00:00.000Z'],
    ['date-time: offset', DT, '2024-03-05T10:00:00+02:00', '2024-03-05T08:00:00.000Z'],
    ['date-time: offset without colon', DT, '2024-03-05T10:00:00-0530', '2024-03-05T15:30:00.000Z'],
    ['date-time: fraction', DT, '2024-03-05T10:00:00.123456Z', '2024-03-05T10:00:00.123Z'],
    ['date-time: no seconds', DT, '2024-03-05T10:00Z', '2024-03-05T10:00:00.000Z'],
    ['date-time: space separator', DT, '2024-03-05 10:00:00Z', '2024-03-05T10:00:00.000Z'],
    ['date-time: across midnight', DT, '2024-03-05T01:00:00+02:00', '2024-03-04T23:00:00.000Z'],
    ['date-time: from a Date', DT, new Date(Date.UTC(2024, 2, 5, 10)), '2024-03-05T10:00:00.000Z'],
    ['date-time: no zone', DT, '2024-03-05T10:00:00', 'missing-timezone'],
    ['date-time: date only', DT, '2024-03-05', 'not-a-date-time'],
    ['date-time: hour 24', DT, '2024-03-05T24:00:00Z', 'not-a-date-time'],
    ['date-time: 31 April', DT, '2024-04-31T10:00:00Z', 'not-a-date-time'],
    ['date-time: free text', DT, 'Tue Mar 05 2024 10:00:00 GMT', 'not-a-date-time'],
    ['date-time: invalid Date', DT, new Date(Number.NaN), 'not-a-date-time'],
    ['date-time: year 10000', DT, new Date(Date.UTC(10000, 0, 1)), 'not-a-date-time'],
    ['date-time: number', DT, 0, 'wrong-type'],
    // the global cap
    ['global cap', S, 'x'.repeat(257), 'too-long'],
    ['global cap exact', S, 'x'.repeat(256), 'x'.repeat(256)],
    ['global cap below maxLength', { ...S, maxLength: 1000 }, 'x'.repeat(300), 'too-long'],
  ])('%s', (_name, prop, raw, expected) => {
    expect(one(prop, raw)).toBe(expected);
  });

  it('applies a smaller global cap to every type', () => {
    expect(one(N, 123.25, 5)).toBe('too-long');
    expect(one(N, 123.5, 5)).toBe('123.5');
    expect(one(DT, '2024-03-05T10:00:00Z', 10)).toBe('too-long');
    expect(one(B, false, 4)).toBe('too-long');
  });
});

describe('compiled schema', () => {
  const schema = compileSchema(
    {
      $schema: 'http://json-schema.org/draft-04/schema#',
      type: 'object',
      properties: {
        'Flow.accountId': { type: 'string', maxLength: 32 },
        'Flow.tier': { type: 'string', enum: ['gold', 'silver', 'bronze'] },
        'Flow.balance': { type: 'number' },
        'Flow.orders': { type: 'integer' },
        'Flow.vip': { type: 'boolean' },
        'Flow.since': { type: 'string', format: 'date' },
        'Flow.tags': { type: 'array', items: { type: 'string' } },
        'Flow.segment': { type: 'string' },
      },
      required: ['Flow.accountId', 'Flow.segment'],
      additionalProperties: true,
    },
    OPTS,
  );

  it('describes its fields', () => {
    expect(schema.versionId).toBe('v1');
    expect([...schema.fields.keys()]).toEqual(['Flow.accountId', 'Flow.tier', 'Flow.balance', 'Flow.orders', 'Flow.vip', 'Flow.since', 'Flow.segment']);
    expect(schema.fields.get('Flow.accountId')).toMatchObject({ type: 'string', required: true, maxLength: 32 });
    expect(schema.fields.get('Flow.since')).toMatchObject({ type: 'string', format: 'date', required: false, maxLength: 256 });
    expect([...schema.unsupported]).toEqual(['Flow.tags']);
  });

  it('writes what fits, drops the rest with a reason, reports missing required fields', () => {
    const { values, dropped } = schema.coerce({
      'Flow.accountId': 'A-1001',
      'Flow.tier': 'platinum',
      'Flow.balance': '12.50',
      'Flow.orders': null,
      'Flow.vip': 'true',
      'Flow.since': new Date('2019-04-01T00:00:00Z'),
      'Flow.tags': ['vip'],
      'Flow.unknown': 'x',
      'Flow.nothing': undefined,
    });
    expect(values).toEqual({ 'Flow.accountId': 'A-1001', 'Flow.balance': '12.5', 'Flow.vip': 'true', 'Flow.since': '2019-04-01' });
    expect(dropped).toEqual([
      { field: 'Flow.tier', reason: 'not-in-enum' },
      { field: 'Flow.tags', reason: 'unsupported-type' },
      { field: 'Flow.unknown', reason: 'not-in-schema' },
      { field: 'Flow.nothing', reason: 'not-in-schema' },
      { field: 'Flow.segment', reason: 'missing' },
    ]);
  });

  it('reports a required field that is null as missing, and an invalid one only once', () => {
    const { values, dropped } = schema.coerce({ 'Flow.accountId': 'x'.repeat(33), 'Flow.segment': null });
    expect(values).toEqual({});
    expect(dropped).toEqual([
      { field: 'Flow.accountId', reason: 'too-long' },
      { field: 'Flow.segment', reason: 'missing' },
    ]);
  });

  it('never puts the value into a dropped reason', () => {
    const secret = '+4915112345678';
    const { dropped } = schema.coerce({ 'Flow.balance': secret + 'x', 'Flow.vip': secret, 'Flow.tier': secret, 'Flow.x': secret });
    expect(dropped).toHaveLength(6);
    expect(JSON.stringify(dropped)).not.toContain('49151');
  });

  it('returns objects with no prototype, so any field name is safe', () => {
    const s = compileSchema(JSON.parse('{"type":"object","properties":{"__proto__":{"type":"string"}}}'), OPTS);
    const { values } = s.coerce(JSON.parse('{"__proto__":"v"}') as Record<string, unknown>);
    expect(Object.keys(values)).toEqual(['__proto__']);
    expect(values.__proto__).toBe('v');
  });

  it('accepts a schema without properties or type', () => {
    const s = compileSchema({}, OPTS);
    expect(s.fields.size).toBe(0);
    expect(s.coerce({ 'Flow.a': 'x' }).dropped).toEqual([{ field: 'Flow.a', reason: 'not-in-schema' }]);
  });
});

describe('compileSchema errors', () => {
  it.each([
    ['not an object', null, /not a JSON object/],
    ['an array', [], /not a JSON object/],
    ['another type', { type: 'array' }, /not of type "object"/],
    ['properties not an object', { type: 'object', properties: [] }, /"properties"/],
    ['a property that is not a schema', { properties: { 'Flow.a': true } }, /Flow\.a.*schema object/],
    ['an unknown type', { properties: { 'Flow.a': { type: 'strnig' } } }, /unknown type "strnig"/],
    ['two types', { properties: { 'Flow.a': { type: ['string', 'number'] } } }, /one type name/],
    ['a type that is not a name', { properties: { 'Flow.a': { type: 5 } } }, /one type name/],
    ['a bad maxLength', { properties: { 'Flow.a': { type: 'string', maxLength: -1 } } }, /"maxLength"/],
    ['a fractional minLength', { properties: { 'Flow.a': { type: 'string', minLength: 1.5 } } }, /"minLength"/],
    ['a bad pattern', { properties: { 'Flow.a': { type: 'string', pattern: '(' } } }, /"pattern"/],
    ['a pattern that is not a string', { properties: { 'Flow.a': { type: 'string', pattern: 1 } } }, /"pattern"/],
    ['a bad minimum', { properties: { 'Flow.a': { type: 'number', minimum: '0' } } }, /"minimum"/],
    ['an empty enum', { properties: { 'Flow.a': { type: 'string', enum: [] } } }, /"enum"/],
    ['an enum entry of the wrong type', { properties: { 'Flow.a': { type: 'integer', enum: [1, 'two'] } } }, /"enum"/],
    ['required not a list of names', { properties: {}, required: 'Flow.a' }, /"required"/],
  ])('rejects %s', (_name, schema, message) => {
    expect(() => compileSchema(schema, OPTS)).toThrow(message);
  });

  it('throws a SchemaError with its code', () => {
    let caught: unknown;
    try {
      compileSchema({ type: 'string' }, OPTS);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(SchemaError);
    expect(caught).toBeInstanceOf(EnricherError);
    expect((caught as SchemaError).code).toBe('schema.invalid');
  });

  it.each([0, -1, 1.5, Number.NaN])('rejects maxValueLength %s', (maxValueLength) => {
    expect(() => compileSchema({}, { versionId: 'v', maxValueLength })).toThrow(SchemaError);
  });

  it('keeps null and nullable types aside instead of failing', () => {
    const s = compileSchema({ properties: { 'Flow.n': { type: 'null' }, 'Flow.o': { type: ['object', 'null'] }, 'Flow.s': { type: 'string', enum: ['a', null] } } }, OPTS);
    expect([...s.unsupported]).toEqual(['Flow.n', 'Flow.o']);
    expect(s.coerce({ 'Flow.s': 'a' }).values).toEqual({ 'Flow.s': 'a' });
  });
});
