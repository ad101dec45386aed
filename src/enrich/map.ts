/**
 * From a CRM answer to raw flow inputs: RFC 6901 JSON pointers pick the values, the flow's schema
 * (src/schema/) turns them into attribute strings afterwards.
 */

const FLOW_PREFIX = 'Flow.';
const ARRAY_INDEX = /^(?:0|[1-9][0-9]*)$/;
const BAD_ESCAPE = /~(?![01])/;

/** True when `pointer` is a well-formed RFC 6901 pointer (`""` or `/`-separated, `~` only as `~0`/`~1`). */
export function isJsonPointer(pointer: string): boolean {
  return pointer === '' || (pointer.startsWith('/') && !BAD_ESCAPE.test(pointer));
}

function unescapeToken(token: string): string {
  // ~1 first, so that "~01" becomes "~1" and not "/" (RFC 6901 section 4).
  return token.includes('~') ? token.replaceAll('~1', '/').replaceAll('~0', '~') : token;
}

/**
 * Resolves an RFC 6901 JSON pointer (`/a/b~1c/0`) against `doc`. Only own properties are followed
 * (never the prototype chain), array indexes are plain decimal (no leading zeros, no `-`).
 * Returns `undefined` when the pointer is malformed or nothing is there; `""` is the whole document.
 */
export function resolvePointer(doc: unknown, pointer: string): unknown {
  if (!isJsonPointer(pointer)) return undefined;
  if (pointer === '') return doc;
  let node: unknown = doc;
  let start = 1;
  for (;;) {
    const slash = pointer.indexOf('/', start);
    const token = unescapeToken(pointer.slice(start, slash === -1 ? undefined : slash));
    if (Array.isArray(node)) {
      if (!ARRAY_INDEX.test(token)) return undefined;
      const index = Number(token);
      if (index >= node.length) return undefined;
      node = node[index] as unknown;
    } else if (typeof node === 'object' && node !== null) {
      if (!Object.hasOwn(node, token)) return undefined;
      node = (node as Record<string, unknown>)[token];
    } else {
      return undefined;
    }
    if (slash === -1) return node;
    start = slash + 1;
  }
}

/**
 * Applies the attribute map (flow input name -> JSON pointer) to one CRM record. The result holds the
 * raw value per input name (`null` included: the schema treats it as absent); names whose pointer
 * finds nothing are left out. The result has no prototype, so any input name is a safe key.
 */
export function mapRecord(record: unknown, map: Readonly<Record<string, string>>): Record<string, unknown> {
  const out = Object.create(null) as Record<string, unknown>;
  for (const name of Object.keys(map)) {
    const pointer = map[name];
    if (pointer === undefined) continue;
    const value = resolvePointer(record, pointer);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/** The attribute key written for a flow input: `prefix` + the input name without a leading `Flow.`. */
export function attributeKey(inputName: string, prefix: string): string {
  return prefix + (inputName.startsWith(FLOW_PREFIX) ? inputName.slice(FLOW_PREFIX.length) : inputName);
}
