/**
 * One flow input field and the coercion of a CRM value into the canonical attribute string for its
 * declared type (participant attributes are strings only, genesys-api.md section 5). Reasons never
 * contain the value: they end up in logs and the audit trail.
 */
import { cleanText } from './text.js';
import { canonicalDate, canonicalDateTime } from './time.js';

/** JSON Schema types a flow input can be filled from. */
export type FieldType = 'string' | 'number' | 'integer' | 'boolean';
/** String formats with a canonical form; other formats are annotations and ignored. */
export type FieldFormat = 'date' | 'date-time';

/** Why a value was not written. Short and free of customer data. */
export type IssueReason =
  | 'missing'
  | 'not-in-schema'
  | 'unsupported-type'
  | 'wrong-type'
  | 'not-a-number'
  | 'not-finite'
  | 'unsafe-integer'
  | 'only-control-characters'
  | 'not-an-integer'
  | 'not-a-boolean'
  | 'not-a-date'
  | 'not-a-date-time'
  | 'missing-timezone'
  | 'not-in-enum'
  | 'pattern-mismatch'
  | 'too-short'
  | 'too-long'
  | 'below-minimum'
  | 'above-maximum';

/** A compiled flow input field. */
export interface FieldSpec {
  /** The input name as the schema declares it (e.g. `Flow.accountId`). */
  readonly name: string;
  readonly type: FieldType;
  /** Only on `string` fields. */
  readonly format?: FieldFormat;
  readonly required: boolean;
  /** Longest canonical value in characters: the smaller of the schema's `maxLength` and the global cap. */
  readonly maxLength: number;
  readonly minLength?: number;
  /** The schema's `pattern`, unanchored as JSON Schema says. */
  readonly pattern?: RegExp;
  /** Allowed canonical values. */
  readonly enum?: ReadonlySet<string>;
  readonly minimum?: number;
  readonly maximum?: number;
}

/** The outcome of coercing one value. */
export type Coerced = { ok: true; value: string } | { ok: false; reason: IssueReason };

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INTEGER = /^([+-]?)0*(\d+)$/;

function fail(reason: IssueReason): Coerced {
  return { ok: false, reason };
}

function ok(value: string): Coerced {
  return { ok: true, value };
}

/**
 * `String(n)`: `0` for `-0`, and no exponent between 1e-6 and 2^53 (larger numbers never get here,
 * see `unsafe`); only tiny fractions keep an exponent.
 */
export function canonicalNumber(n: number): string {
  return String(n);
}

/**
 * A JSON number beyond +-(2^53 - 1) has already lost digits when the CRM answer was parsed
 * (9007199254740993 reads as ...992): it is dropped as `unsafe-integer`, whatever the field type,
 * rather than written with digits the CRM never sent. Digit strings keep every digit instead.
 */
function unsafe(n: number): boolean {
  return Math.abs(n) > Number.MAX_SAFE_INTEGER;
}

function asNumber(raw: unknown): number | IssueReason {
  if (typeof raw === 'number') return !Number.isFinite(raw) ? 'not-finite' : unsafe(raw) ? 'unsafe-integer' : raw;
  if (typeof raw === 'bigint') return Number(raw);
  if (typeof raw !== 'string') return 'wrong-type';
  const text = raw.trim();
  if (!DECIMAL.test(text)) return 'not-a-number';
  const n = Number(text);
  return !Number.isFinite(n) ? 'not-finite' : unsafe(n) ? 'unsafe-integer' : n;
}

/** A digit string (sign, leading zeros allowed) in canonical form with every digit kept, else undefined. */
function exactDigits(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const m = INTEGER.exec(raw.trim());
  if (m === null) return undefined;
  const digits = m[2] ?? '0';
  return m[1] === '-' && digits !== '0' ? `-${digits}` : digits;
}

function toNumber(raw: unknown): Coerced {
  // Digit strings beyond 2^53 stay exact, as for integers.
  const digits = exactDigits(raw);
  if (digits !== undefined && unsafe(Number(digits))) return ok(digits);
  const n = asNumber(raw);
  if (typeof n === 'string') return fail(n);
  return ok(typeof raw === 'bigint' ? raw.toString() : canonicalNumber(n));
}

function toInteger(raw: unknown): Coerced {
  if (typeof raw === 'bigint') return ok(raw.toString());
  // Digit strings keep every digit: CRM ids often exceed 2^53.
  const digits = exactDigits(raw);
  if (digits !== undefined) return ok(digits);
  const n = asNumber(raw);
  if (typeof n === 'string') return fail(n);
  if (!Number.isInteger(n)) return fail('not-an-integer');
  return ok(canonicalNumber(n));
}

function toBoolean(raw: unknown): Coerced {
  if (raw === true || raw === 'true') return ok('true');
  if (raw === false || raw === 'false') return ok('false');
  return fail('not-a-boolean');
}

function toText(raw: unknown): Coerced {
  switch (typeof raw) {
    case 'string': {
      // Text is cleaned, not refused: the rest of a name or an address is still worth writing.
      const clean = cleanText(raw);
      return clean === '' && raw !== '' ? fail('only-control-characters') : ok(clean);
    }
    case 'number':
      if (!Number.isFinite(raw)) return fail('wrong-type');
      return unsafe(raw) ? fail('unsafe-integer') : ok(canonicalNumber(raw));
    case 'bigint':
      return ok(raw.toString());
    case 'boolean':
      return ok(raw ? 'true' : 'false');
    default:
      return raw instanceof Date && !Number.isNaN(raw.getTime()) ? ok(raw.toISOString()) : fail('wrong-type');
  }
}

/**
 * The canonical string for the field's type only, without its constraints. Also used at compile time
 * for the schema's own `enum` entries.
 */
export function canonicalValue(spec: FieldSpec, raw: unknown): Coerced {
  switch (spec.type) {
    case 'number':
      return toNumber(raw);
    case 'integer':
      return toInteger(raw);
    case 'boolean':
      return toBoolean(raw);
    case 'string':
      if (spec.format === 'date') return canonicalDate(raw);
      if (spec.format === 'date-time') return canonicalDateTime(raw);
      return toText(raw);
  }
}

/** Length in code points, as JSON Schema counts; cheap when the UTF-16 length already fits. */
function lengthAtMost(text: string, max: number): boolean {
  if (text.length <= max) return true;
  let count = 0;
  for (const _ of text) {
    if (++count > max) return false;
  }
  return true;
}

function codePoints(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/**
 * Coerces one present (non-null) value to the canonical string of `spec` and checks `enum`, `pattern`,
 * `minimum`/`maximum`, `minLength` and the length cap, in that order.
 */
export function coerceField(spec: FieldSpec, raw: unknown): Coerced {
  const result = canonicalValue(spec, raw);
  if (!result.ok) return result;
  const { value } = result;
  if (spec.enum !== undefined && !spec.enum.has(value)) return fail('not-in-enum');
  if (spec.pattern !== undefined && !spec.pattern.test(value)) return fail('pattern-mismatch');
  if (spec.minimum !== undefined || spec.maximum !== undefined) {
    const n = Number(value);
    if (spec.minimum !== undefined && n < spec.minimum) return fail('below-minimum');
    if (spec.maximum !== undefined && n > spec.maximum) return fail('above-maximum');
  }
  if (spec.minLength !== undefined && codePoints(value) < spec.minLength) return fail('too-short');
  if (!lengthAtMost(value, spec.maxLength)) return fail('too-long');
  return result;
}
