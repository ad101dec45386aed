/**
 * Pure checks on single config values that are not URLs. Each returns a problem message or
 * `undefined`; messages never quote the value.
 */
import { GENESYS_REGIONS } from './urls.js';

/** A UUID in the 8-4-4-4-12 hex form Genesys uses for ids (any case). */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Levenshtein distance (insertions, deletions, substitutions). */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** The candidate nearest to `word`, if it is within `maxDistance` edits (ties: the first listed). */
export function closestMatch(word: string, candidates: readonly string[], maxDistance: number): string | undefined {
  let best: string | undefined;
  let bestDistance = maxDistance + 1;
  for (const candidate of candidates) {
    const distance = editDistance(word, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/**
 * Problem with a `genesys.region` value, suggesting the nearest region. People often paste a URL
 * or an `api.`/`login.` host, so those parts are ignored when looking for the suggestion.
 */
export function checkRegion(value: string): string | undefined {
  if (GENESYS_REGIONS.includes(value)) return undefined;
  const bare = value
    .trim()
    .toLowerCase()
    .replace(/^[a-z]+:\/\//, '')
    .replace(/\/.*$/, '')
    .replace(/^(api|login|apps)\./, '');
  const suggestion = closestMatch(bare, GENESYS_REGIONS, 3);
  const hint = suggestion === undefined ? `one of: ${GENESYS_REGIONS.join(', ')}` : `did you mean "${suggestion}"?`;
  return `is not a Genesys Cloud region (${hint})`;
}

/**
 * Splits an RFC 6901 JSON pointer into its unescaped reference tokens, or returns `undefined`
 * when it is not one. The empty pointer (the whole document) is refused here: an attribute
 * must come from a field.
 */
export function parseJsonPointer(pointer: string): string[] | undefined {
  if (!pointer.startsWith('/')) return undefined;
  const tokens = pointer.slice(1).split('/');
  if (tokens.some((t) => /~(?![01])/.test(t))) return undefined;
  return tokens.map((t) => t.replaceAll('~1', '/').replaceAll('~0', '~'));
}

/** Problem with a JSON pointer in `attributes.map`. */
export function checkJsonPointer(value: string): string | undefined {
  if (parseJsonPointer(value) !== undefined) return undefined;
  return value.startsWith('/')
    ? 'is not a valid JSON pointer (RFC 6901: "~" must be written "~0", "/" inside a name "~1")'
    : 'must be a JSON pointer starting with "/" (RFC 6901), e.g. "/account/id"';
}

/** The attribute key written for a flow input: prefix + the input name without its `Flow.` part. */
export function attributeKey(prefix: string, inputName: string): string {
  return prefix + (inputName.startsWith('Flow.') ? inputName.slice('Flow.'.length) : inputName);
}

/** Index of the first element equal (by `key`) to an earlier one, or -1. */
export function firstDuplicate<T>(items: readonly T[], key: (item: T) => string): number {
  const seen = new Set<string>();
  for (const [index, item] of items.entries()) {
    const k = key(item);
    if (seen.has(k)) return index;
    seen.add(k);
  }
  return -1;
}
