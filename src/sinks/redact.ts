/**
 * Redaction for log lines: a deep copy with sensitive keys replaced, so a token, secret or
 * configured customer field never reaches a log line in clear. Copies, never mutates (winston
 * shares the info object between transports), and keeps winston's symbol keys.
 */

/** Keys redacted everywhere, compared case-insensitively with `-` and `_` ignored. */
export const ALWAYS_REDACTED = [
  'authorization',
  'token',
  'accesstoken',
  'refreshtoken',
  'secret',
  'clientsecret',
  'password',
  'apikey',
  'cookie',
  'setcookie',
  'phone',
  'email',
  'address',
] as const;

const MARK = '[redacted]';
const MAX_DEPTH = 8;

/** Normalises a key for comparison. */
function norm(key: string): string {
  return key.toLowerCase().replace(/[-_]/g, '');
}

/** Builds a redactor for the built-in keys plus `extra` field names. */
export function createRedactor(extra: readonly string[] = []): <T>(value: T) => T {
  const keys = new Set<string>([...ALWAYS_REDACTED, ...extra.map(norm)]);
  const walk = (value: unknown, depth: number): unknown => {
    if (typeof value === 'string') return scrubText(value);
    if (typeof value !== 'object' || value === null) return value;
    if (depth > MAX_DEPTH) return '[deep]';
    if (Array.isArray(value)) return value.map((v) => walk(v, depth + 1));
    if (value instanceof Error) return { name: value.name, message: scrubText(value.message) };
    const out: Record<string | symbol, unknown> = {};
    for (const key of Object.keys(value)) {
      const v = (value as Record<string, unknown>)[key];
      out[key] = keys.has(norm(key)) && v !== undefined && v !== null && v !== '' ? MARK : walk(v, depth + 1);
    }
    for (const sym of Object.getOwnPropertySymbols(value)) out[sym] = (value as Record<symbol, unknown>)[sym];
    return out;
  };
  return <T>(value: T): T => walk(value, 0) as T;
}

/** Masks credentials that slipped into free text (`Bearer x`, `Basic x`, `access_token=x`). */
export function scrubText(text: string): string {
  if (!/bearer|basic|token|secret/i.test(text)) return text;
  return text
    .replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{6,}/gi, `$1 ${MARK}`)
    .replace(/\b(access_token|client_secret|token|secret)(["']?\s*[:=]\s*["']?)[^\s"'&,}]+/gi, `$1$2${MARK}`);
}
