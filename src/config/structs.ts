/**
 * Small superstruct building blocks whose failure messages are written for operators and never
 * quote the value (superstruct's own messages do, and the value may be a resolved secret).
 * Each has its own struct type name so that `failures.ts` can tell them from built-in structs.
 */
import { coerce, define, refine, string, type Struct } from 'superstruct';
import { UUID_PATTERN } from './values.js';

/** An integer in `[min, max]`. */
export function intRange(min: number, max: number): Struct<number, null> {
  return define<number>(
    'int-range',
    (v) => (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max) || `must be an integer from ${min} to ${max}`,
  );
}

/** 0 (meaning off) or an integer in `[min, max]`. */
export function zeroOrRange(min: number, max: number): Struct<number, null> {
  return define<number>(
    'zero-or-range',
    (v) =>
      (typeof v === 'number' && Number.isInteger(v) && (v === 0 || (v >= min && v <= max))) ||
      `must be 0 (off) or an integer from ${min} to ${max}`,
  );
}

/** A string with something other than white space in it. */
export function text(): Struct<string, null> {
  return define<string>('text', (v) => (typeof v === 'string' && v.trim() !== '') || 'must be a non-empty string');
}

/** One of a fixed list of strings. */
export function choice<const T extends string>(values: readonly T[]): Struct<T, null> {
  return define<T>('choice', (v) => (values as readonly unknown[]).includes(v) || `must be one of: ${values.join(', ')}`);
}

/** A string passed through a pure check that returns a problem message or `undefined`. */
export function checked(name: string, check: (value: string) => string | undefined): Struct<string, null> {
  return define<string>(name, (v) => (typeof v === 'string' ? (check(v) ?? true) : 'must be a string'));
}

/** A Genesys-style UUID, lower-cased (ids are compared and put into topic names as-is). */
export function uuid(): Struct<string, null> {
  const struct = define<string>(
    'uuid',
    (v) => (typeof v === 'string' && UUID_PATTERN.test(v)) || 'must be a UUID such as 6c2f0b8e-1d1e-4c1b-9a55-0b2a3f1c7e10',
  );
  return coerce(struct, string(), (s) => s.trim().toLowerCase());
}

/**
 * An object on which exactly one of `keys` must be set; the message names the keys, which are
 * config vocabulary, never values.
 */
export function exactlyOne<T extends object, S>(struct: Struct<T, S>, keys: readonly (keyof T & string)[]): Struct<T, S> {
  return refine(struct, 'exactly-one', (value) => {
    const present = keys.filter((k) => value[k] !== undefined);
    if (present.length === 1) return true;
    if (present.length === 0) return `needs one of: ${keys.join(', ')}`;
    return `must have only one of ${keys.join(', ')} (found ${present.join(' and ')})`;
  });
}
