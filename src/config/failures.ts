/**
 * Turns superstruct failures into operator-facing problems: one per failing key path, worded
 * without the received value (superstruct's built-in messages quote it, and it may be a secret).
 */
import { Struct, type Failure } from 'superstruct';
import { formatPath, type ConfigProblem } from './config-error.js';
import { closestMatch } from './values.js';

// Built-in struct types whose messages quote the value; ours (structs.ts) have other names.
const BUILT_IN_MESSAGES: Readonly<Record<string, string>> = {
  string: 'must be a string',
  number: 'must be a number',
  integer: 'must be an integer',
  boolean: 'must be true or false',
  object: 'must be a mapping (key: value)',
  type: 'must be a mapping (key: value)',
  record: 'must be a mapping (key: value)',
  array: 'must be a list',
  literal: 'has an invalid value',
  enums: 'has an invalid value',
  union: 'has an invalid value',
};

/** The parts of a superstruct struct needed to find the keys an object accepts. */
interface StructLike {
  readonly type: string;
  readonly schema: unknown;
}

function childStruct(struct: StructLike | undefined, segment: unknown): StructLike | undefined {
  if (struct === undefined) return undefined;
  const schema: unknown = struct.schema;
  if (struct.type === 'array') return schema instanceof Struct ? schema : undefined;
  if ((struct.type === 'object' || struct.type === 'type') && typeof schema === 'object' && schema !== null) {
    const child: unknown = (schema as Record<string, unknown>)[String(segment)];
    return child instanceof Struct ? child : undefined;
  }
  return undefined;
}

/** The keys an object struct accepts at `path` (empty when `path` is not an object with a schema). */
export function allowedKeys(root: StructLike, path: readonly unknown[]): string[] {
  let struct: StructLike | undefined = root;
  for (const segment of path) struct = childStruct(struct, segment);
  const schema: unknown = struct?.schema;
  return struct?.type === 'object' && typeof schema === 'object' && schema !== null ? Object.keys(schema) : [];
}

function unknownKeyMessage(key: string, allowed: readonly string[]): string {
  const suggestion =
    allowed.find((k) => k.toLowerCase() === key.toLowerCase()) ??
    closestMatch(key, allowed, Math.max(2, Math.floor(key.length / 3)));
  if (suggestion !== undefined) return `is not a known key (did you mean "${suggestion}"?)`;
  return allowed.length > 0 ? `is not a known key (allowed: ${allowed.join(', ')})` : 'is not a known key';
}

function messageFor(failure: Failure, root: StructLike): string {
  if (failure.refinement !== undefined) return failure.message;
  if (failure.type === 'never') {
    return unknownKeyMessage(String(failure.key), allowedKeys(root, failure.path.slice(0, -1)));
  }
  if (failure.value === undefined) return 'is required';
  return BUILT_IN_MESSAGES[failure.type] ?? failure.message;
}

/** One problem per failure (exact repeats dropped), in the order superstruct found them. */
export function failuresToProblems(failures: readonly Failure[], root: StructLike): ConfigProblem[] {
  const seen = new Set<string>();
  const problems: ConfigProblem[] = [];
  for (const failure of failures) {
    const problem = { path: formatPath(failure.path as (string | number)[]), message: messageFor(failure, root) };
    const id = `${problem.path}\n${problem.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    problems.push(problem);
  }
  return problems;
}
