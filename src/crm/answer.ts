/** What a CRM HTTP answer means for the cache: pure, so every status has a table test. */
import type { CrmEntry, CrmFailure } from './types.js';

/** A cache entry, or the failure code when the answer is unusable. */
export type Interpreted = { readonly ok: true; readonly entry: CrmEntry } | { readonly ok: false; readonly failure: CrmFailure };

/**
 * 2xx with a JSON object or array = found (deep-frozen, since every lookup shares it); 404 and
 * 204 = not found; a 2xx body that is not JSON, or JSON `null`/a scalar = `bad-response`;
 * anything else = `http-<status>`.
 */
export function interpretAnswer(status: number, body: string): Interpreted {
  if (status === 404 || status === 204) return { ok: true, entry: { found: false } };
  if (status < 200 || status > 299) return { ok: false, failure: `http-${status}` };
  let record: unknown;
  try {
    record = JSON.parse(body);
  } catch {
    return { ok: false, failure: 'bad-response' };
  }
  if (typeof record !== 'object' || record === null) return { ok: false, failure: 'bad-response' };
  return { ok: true, entry: { found: true, record: deepFreeze(record) } };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
