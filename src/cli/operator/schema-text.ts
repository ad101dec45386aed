/** How the operator commands spell a flow input field's type and constraints (pure). */
import type { CompiledSchema, FieldSpec } from '../../schema/compile.js';

/** `string/date, required, maxLength 32, enum (3)`: the type first, then what constrains it. */
export function describeField(spec: FieldSpec): string {
  const parts = [spec.format === undefined ? spec.type : `${spec.type}/${spec.format}`];
  if (spec.required) parts.push('required');
  if (spec.type === 'string') parts.push(`maxLength ${spec.maxLength}`);
  if (spec.minLength !== undefined) parts.push(`minLength ${spec.minLength}`);
  if (spec.minimum !== undefined) parts.push(`minimum ${spec.minimum}`);
  if (spec.maximum !== undefined) parts.push(`maximum ${spec.maximum}`);
  if (spec.pattern !== undefined) parts.push('pattern');
  if (spec.enum !== undefined) parts.push(`enum (${spec.enum.size})`);
  return parts.join(', ');
}

/** The schema type of one input name: its field, `unsupported type`, or `not in the schema`. */
export function schemaTypeOf(schema: CompiledSchema, input: string): string {
  const spec = schema.fields.get(input);
  if (spec !== undefined) return describeField(spec);
  return schema.unsupported.has(input) ? 'unsupported type (object/array/null)' : 'not in the schema';
}

/** One line per schema field (`Flow.accountId  string, required, maxLength 32`), unsupported ones last. */
export function schemaLines(schema: CompiledSchema): string[] {
  const width = Math.max(0, ...[...schema.fields.keys(), ...schema.unsupported].map((n) => n.length));
  const lines = [...schema.fields.values()].map((spec) => `${spec.name.padEnd(width)}  ${describeField(spec)}`);
  for (const name of schema.unsupported) lines.push(`${name.padEnd(width)}  unsupported type: never written`);
  return lines;
}
