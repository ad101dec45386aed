/**
 * Field by field, what `inspect` would write (pure): each mapped input's pointer, the kind of raw
 * value the CRM answer holds there, the schema's type, and the coerced result (as a hash and a
 * length, never the value) or why it is dropped. Uses the pipeline's own mapping and coercion,
 * so the preview cannot drift from what the daemon writes.
 */
import { attributeKey, mapRecord } from '../../enrich/map.js';
import type { CompiledSchema } from '../../schema/compile.js';
import { hashValue } from '../../sinks/audit.js';
import { schemaTypeOf } from './schema-text.js';

/** What happens to one field. */
export type FieldOutcome =
  | { readonly kind: 'written'; readonly key: string; readonly hash: string; readonly length: number }
  | { readonly kind: 'dropped'; readonly reason: string }
  | { readonly kind: 'absent' };

/** One input of the attribute map (or a required schema field nobody maps). */
export interface FieldRow {
  readonly input: string;
  /** The JSON pointer, or undefined for a required field that is not mapped. */
  readonly pointer: string | undefined;
  /** `absent`, `null`, `string (N chars)`, `number`, `boolean`, `array`, `object`. */
  readonly raw: string;
  readonly schemaType: string;
  readonly outcome: FieldOutcome;
}

/** The whole plan: one row per field and the attributes that would be written (marker excluded). */
export interface FieldPlan {
  readonly rows: readonly FieldRow[];
  readonly attributes: Readonly<Record<string, string>>;
}

/** Length in code points, as the schema's maxLength counts it. */
function codePoints(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

function chars(n: number): string {
  return `${n} char${n === 1 ? '' : 's'}`;
}

/** The kind of a raw CRM value, with a string's length: enough to debug a mapping, not to read it. */
export function rawKind(value: unknown, present: boolean): string {
  if (!present) return 'absent';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'string') return `string (${chars(codePoints(value))})`;
  return typeof value;
}

/**
 * Maps and coerces one CRM record exactly as the pipeline does, and explains each field. Hashes
 * use the audit key, so they compare with the trail's.
 */
export function planFields(record: unknown, map: Readonly<Record<string, string>>, schema: CompiledSchema, prefix: string, auditKey: Buffer): FieldPlan {
  const raw = mapRecord(record, map);
  const { values, dropped } = schema.coerce(raw);
  const reasons = new Map(dropped.map((d) => [d.field, d.reason]));
  const outcome = (input: string): FieldOutcome => {
    const value = values[input];
    if (value !== undefined) return { kind: 'written', key: attributeKey(input, prefix), hash: hashValue(value, auditKey), length: codePoints(value) };
    const reason = reasons.get(input);
    return reason !== undefined ? { kind: 'dropped', reason } : { kind: 'absent' };
  };
  const rows: FieldRow[] = Object.entries(map).map(([input, pointer]) => ({
    input,
    pointer,
    raw: rawKind(raw[input], Object.hasOwn(raw, input)),
    schemaType: schemaTypeOf(schema, input),
    outcome: outcome(input),
  }));
  for (const d of dropped) {
    if (!Object.hasOwn(map, d.field)) rows.push({ input: d.field, pointer: undefined, raw: 'absent', schemaType: schemaTypeOf(schema, d.field), outcome: { kind: 'dropped', reason: `${d.reason} (not mapped)` } });
  }
  const attributes: Record<string, string> = {};
  for (const [input, value] of Object.entries(values)) attributes[attributeKey(input, prefix)] = value;
  return { rows, attributes };
}

/** Printable lines for the rows. */
export function fieldLines(rows: readonly FieldRow[]): string[] {
  return rows.flatMap((r) => {
    const head = `${r.input} <- ${r.pointer === undefined ? '(not mapped)' : r.pointer === '' ? '(whole answer)' : r.pointer}`;
    const o = r.outcome;
    const result =
      o.kind === 'written'
        ? `write ${o.key} = hmac:${o.hash} (${chars(o.length)})`
        : o.kind === 'dropped'
          ? `dropped: ${o.reason}`
          : 'not written: no value in the CRM answer';
    return [head, `    raw ${r.raw}; schema ${r.schemaType}; ${result}`];
  });
}
