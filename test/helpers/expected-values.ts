/**
 * The attribute strings a correct daemon writes for one CRM record, worked out here from the
 * attribute map and the flow's input schema without any of the daemon's code (src/schema), so a
 * fault there cannot hide in the judge. Rules (the README's "string values only"):
 *   string: as is, dropped when longer than maxLength or not in enum;
 *   number: the JSON number's shortest decimal form; integer: the same, dropped unless whole;
 *   boolean: "true"/"false"; format date: YYYY-MM-DD; format date-time: the instant in UTC ISO form;
 *   a value of the wrong JSON type, null or absent: no attribute.
 */

/** The slice of a flow input schema the judge reads. */
export interface InputSchema {
  readonly properties?: Readonly<Record<string, unknown>>;
}

interface Property {
  readonly type?: unknown;
  readonly format?: unknown;
  readonly enum?: unknown;
  readonly maxLength?: unknown;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Follows a plain JSON pointer (`/a/b`, `~0`/`~1` escapes) through own properties. */
export function pick(doc: unknown, pointer: string): unknown {
  if (pointer === '') return doc;
  let node = doc;
  for (const raw of pointer.slice(1).split('/')) {
    const token = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, token)) return undefined;
    node = (node as Record<string, unknown>)[token];
  }
  return node;
}

/** One raw CRM value in the string form the schema property asks for; undefined = not written. */
export function stringForm(value: unknown, property: Property): string | undefined {
  if (value === null || value === undefined) return undefined;
  let out: string | undefined;
  switch (property.type) {
    case 'string':
      if (typeof value !== 'string') return undefined;
      if (property.format === 'date') out = DATE.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) ? value : undefined;
      else if (property.format === 'date-time') out = Number.isNaN(Date.parse(value)) ? undefined : new Date(value).toISOString();
      else out = value;
      break;
    case 'number':
      out = typeof value === 'number' && Number.isFinite(value) ? String(value) : undefined;
      break;
    case 'integer':
      out = typeof value === 'number' && Number.isInteger(value) ? String(value) : undefined;
      break;
    case 'boolean':
      out = typeof value === 'boolean' ? String(value) : undefined;
      break;
    default:
      return undefined;
  }
  if (out === undefined) return undefined;
  if (Array.isArray(property.enum) && !property.enum.includes(value)) return undefined;
  if (typeof property.maxLength === 'number' && out.length > property.maxLength) return undefined;
  return out;
}

/**
 * Whether a written string is the expected one: equal, or for a date-time the same instant in a
 * UTC ISO form (with or without milliseconds).
 */
export function sameForm(expected: string, written: string, property: unknown): boolean {
  if (expected === written) return true;
  const p = property as Property | undefined;
  if (p?.type !== 'string' || p.format !== 'date-time') return false;
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/.test(written) && Date.parse(written) === Date.parse(expected);
}

/** The attribute key of a flow input: prefix + the name without `Flow.`. */
export function keyOf(input: string, prefix: string): string {
  return prefix + (input.startsWith('Flow.') ? input.slice(5) : input);
}

/** Every attribute (marker excluded) a correct daemon writes for `record` under `schema`. */
export function expectedAttributes(
  record: unknown,
  map: Readonly<Record<string, string>>,
  prefix: string,
  schema: InputSchema,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [input, pointer] of Object.entries(map)) {
    const property = schema.properties?.[input];
    if (typeof property !== 'object' || property === null) continue;
    const value = stringForm(pick(record, pointer), property);
    if (value !== undefined) out[keyOf(input, prefix)] = value;
  }
  return out;
}
