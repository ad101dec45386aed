/**
 * Compiles a flow's input schema (a JSON Schema object document, docs/architecture.md, "Flow input schema") once into
 * field specs, so that each conversation only runs the cheap coercion.
 */
import { EnricherError } from '../errors.js';
import { canonicalValue, coerceField, type FieldFormat, type FieldSpec, type FieldType, type IssueReason } from './field.js';

export type { FieldSpec, FieldType, FieldFormat, IssueReason } from './field.js';

/** A value that was not written, and why. `reason` never contains the value (no customer data). */
export interface FieldIssue {
  field: string;
  reason: string;
}

/** A compiled input schema: immutable, shared by every conversation that started with it. */
export interface CompiledSchema {
  /** The flow version the schema came from (`inline` for a schema from the config file). */
  readonly versionId: string;
  /** Fillable fields by input name, in schema order. */
  readonly fields: ReadonlyMap<string, FieldSpec>;
  /** Declared fields of a type an attribute cannot carry (`object`, `array`, `null`): never written. */
  readonly unsupported: ReadonlySet<string>;
  /**
   * Turns raw values (input name -> CRM value) into canonical attribute strings. `null`/`undefined`
   * count as absent. Everything not written is listed in `dropped`, including required fields missing.
   */
  coerce(values: Readonly<Record<string, unknown>>): { values: Record<string, string>; dropped: FieldIssue[] };
}

/** The schema cannot be used (not an object schema, a malformed keyword, an unknown type). */
export class SchemaError extends EnricherError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('schema.invalid', message, options);
  }
}

const SUPPORTED_TYPES = new Set<string>(['string', 'number', 'integer', 'boolean']);
const UNSUPPORTED_TYPES = new Set<string>(['object', 'array', 'null']);
const FORMATS = new Set<string>(['date', 'date-time']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** `type` as one name: `["string", "null"]` means string; a missing type means string. */
function typeOf(name: string, prop: Record<string, unknown>): string {
  const { type } = prop;
  if (type === undefined) return 'string';
  if (typeof type === 'string') return type;
  if (Array.isArray(type)) {
    const named = (type as unknown[]).filter((t) => t !== 'null');
    const [only] = named;
    if (named.length === 1 && typeof only === 'string') return only;
    if (named.length === 0 && type.length > 0) return 'null';
  }
  throw new SchemaError(`property ${JSON.stringify(name)}: "type" must be one type name`);
}

function optionalNumber(name: string, prop: Record<string, unknown>, key: string): number | undefined {
  const value = prop[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new SchemaError(`property ${JSON.stringify(name)}: "${key}" must be a finite number`);
  }
  return value;
}

function optionalCount(name: string, prop: Record<string, unknown>, key: string): number | undefined {
  const value = prop[key];
  if (value === undefined) return undefined;
  if (!isCount(value)) throw new SchemaError(`property ${JSON.stringify(name)}: "${key}" must be a non-negative integer`);
  return value;
}

function compilePattern(name: string, pattern: unknown): RegExp | undefined {
  if (pattern === undefined) return undefined;
  if (typeof pattern !== 'string') throw new SchemaError(`property ${JSON.stringify(name)}: "pattern" must be a string`);
  try {
    return new RegExp(pattern, 'u');
  } catch (err) {
    throw new SchemaError(`property ${JSON.stringify(name)}: "pattern" is not a valid regular expression`, { cause: err });
  }
}

type MutableSpec = { -readonly [K in keyof FieldSpec]: FieldSpec[K] };

function compileField(name: string, prop: unknown, required: boolean, maxValueLength: number): FieldSpec | undefined {
  if (!isRecord(prop)) throw new SchemaError(`property ${JSON.stringify(name)} must be a schema object`);
  const type = typeOf(name, prop);
  if (UNSUPPORTED_TYPES.has(type)) return undefined;
  if (!SUPPORTED_TYPES.has(type)) throw new SchemaError(`property ${JSON.stringify(name)}: unknown type ${JSON.stringify(type)}`);

  const maxLength = optionalCount(name, prop, 'maxLength');
  const spec: MutableSpec = {
    name,
    type: type as FieldType,
    required,
    maxLength: maxLength === undefined ? maxValueLength : Math.min(maxLength, maxValueLength),
  };
  const { format } = prop;
  if (type === 'string' && typeof format === 'string' && FORMATS.has(format)) spec.format = format as FieldFormat;
  const minLength = optionalCount(name, prop, 'minLength');
  if (minLength !== undefined) spec.minLength = minLength;
  const pattern = compilePattern(name, prop.pattern);
  if (pattern !== undefined) spec.pattern = pattern;
  const minimum = optionalNumber(name, prop, 'minimum');
  if (minimum !== undefined) spec.minimum = minimum;
  const maximum = optionalNumber(name, prop, 'maximum');
  if (maximum !== undefined) spec.maximum = maximum;

  const values = prop.enum;
  if (values !== undefined) {
    if (!Array.isArray(values) || values.length === 0) {
      throw new SchemaError(`property ${JSON.stringify(name)}: "enum" must be a non-empty array`);
    }
    const allowed = new Set<string>();
    for (const v of values as unknown[]) {
      const c = canonicalValue(spec, v);
      // A null entry only says "may be null", which absent values already are.
      if (c.ok) allowed.add(c.value);
      else if (v !== null) throw new SchemaError(`property ${JSON.stringify(name)}: an "enum" entry does not fit type ${type}`);
    }
    spec.enum = allowed;
  }
  return spec;
}

function requiredNames(schema: Record<string, unknown>): ReadonlySet<string> {
  const { required } = schema;
  if (required === undefined) return new Set();
  if (!Array.isArray(required) || !required.every((r): r is string => typeof r === 'string')) {
    throw new SchemaError('"required" must be an array of property names');
  }
  return new Set(required);
}

class Compiled implements CompiledSchema {
  constructor(
    readonly versionId: string,
    readonly fields: ReadonlyMap<string, FieldSpec>,
    readonly unsupported: ReadonlySet<string>,
  ) {}

  coerce(values: Readonly<Record<string, unknown>>): { values: Record<string, string>; dropped: FieldIssue[] } {
    const out = Object.create(null) as Record<string, string>;
    const dropped: FieldIssue[] = [];
    const drop = (field: string, reason: IssueReason): void => {
      dropped.push({ field, reason });
    };
    for (const name of Object.keys(values)) {
      const spec = this.fields.get(name);
      if (spec === undefined) {
        drop(name, this.unsupported.has(name) ? 'unsupported-type' : 'not-in-schema');
        continue;
      }
      const raw = values[name];
      if (raw === null || raw === undefined) continue;
      const result = coerceField(spec, raw);
      if (result.ok) out[name] = result.value;
      else drop(name, result.reason);
    }
    for (const spec of this.fields.values()) {
      if (spec.required && !Object.hasOwn(out, spec.name) && !dropped.some((d) => d.field === spec.name)) {
        drop(spec.name, 'missing');
      }
    }
    return { values: out, dropped };
  }
}

/**
 * Compiles `schema` (`{type: 'object', properties: {...}, required?: [...]}`) into a coercing validator.
 * Supported field types: `string` (with `maxLength`, `minLength`, `pattern`, `enum`, and the formats
 * `date` and `date-time`), `number`, `integer`, `boolean`. Fields of type `object`, `array` or `null`
 * are kept aside as unsupported. Throws {@link SchemaError} when the schema cannot be used.
 */
export function compileSchema(schema: unknown, opts: { versionId: string; maxValueLength: number }): CompiledSchema {
  if (!isCount(opts.maxValueLength) || opts.maxValueLength === 0) {
    throw new SchemaError('maxValueLength must be a positive integer');
  }
  if (!isRecord(schema)) throw new SchemaError('the input schema is not a JSON object');
  if (schema.type !== undefined && schema.type !== 'object') throw new SchemaError('the input schema is not of type "object"');
  const properties = schema.properties ?? {};
  if (!isRecord(properties)) throw new SchemaError('"properties" must be an object');
  const required = requiredNames(schema);

  const fields = new Map<string, FieldSpec>();
  const unsupported = new Set<string>();
  for (const name of Object.keys(properties)) {
    const spec = compileField(name, properties[name], required.has(name), opts.maxValueLength);
    if (spec === undefined) unsupported.add(name);
    else fields.set(name, spec);
  }
  return new Compiled(opts.versionId, fields, unsupported);
}
