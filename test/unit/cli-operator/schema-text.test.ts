import { describe, expect, it } from 'vitest';
import { describeField, schemaLines, schemaTypeOf } from '../../../src/cli/operator/schema-text.js';
import type { FieldSpec } from '../../../src/schema/compile.js';
import { schema } from './fixtures.js';

describe('schema text', () => {
  it.each<[FieldSpec, string]>([
    [{ name: 'a', type: 'string', required: true, maxLength: 32 }, 'string, required, maxLength 32'],
    [{ name: 'a', type: 'string', format: 'date', required: false, maxLength: 256 }, 'string/date, maxLength 256'],
    [{ name: 'a', type: 'integer', required: false, maxLength: 256, minimum: 0, maximum: 9 }, 'integer, minimum 0, maximum 9'],
    [{ name: 'a', type: 'string', required: false, maxLength: 5, minLength: 2, pattern: /x/u, enum: new Set(['ab', 'cd']) }, 'string, maxLength 5, minLength 2, pattern, enum (2)'],
    [{ name: 'a', type: 'boolean', required: false, maxLength: 256 }, 'boolean'],
  ])('describes %o', (spec, text) => {
    expect(describeField(spec)).toBe(text);
  });

  it.each([
    ['Flow.balance', 'number'],
    ['Flow.tags', 'unsupported type (object/array/null)'],
    ['Flow.nope', 'not in the schema'],
  ])('types %s', (input, text) => {
    expect(schemaTypeOf(schema(), input)).toBe(text);
  });

  it('lists every field aligned, unsupported ones last', () => {
    const lines = schemaLines(schema());
    expect(lines).toHaveLength(6);
    expect(lines[0]).toBe('Flow.accountId  string, required, maxLength 12');
    expect(lines.at(-1)).toBe('Flow.tags       unsupported type: never written');
  });
});
