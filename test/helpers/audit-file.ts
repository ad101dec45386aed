/**
 * Strict reading of the daemon's audit trail for the judge: every non-empty line must be one JSON
 * object with the fields every audit line carries; anything else is reported, never skipped.
 */

/** The fields of an audit line the judge relies on. */
export interface ParsedAuditLine {
  readonly ts: string;
  readonly event: 'enriched' | 'skipped' | 'failed';
  readonly reason?: string;
  readonly conversationId: string;
  readonly traceId: string;
  readonly [key: string]: unknown;
}

/** Lines that parsed and the problems of those that did not (with their 1-based line numbers). */
export interface AuditRead {
  readonly lines: ParsedAuditLine[];
  readonly errors: string[];
}

const EVENTS = new Set(['enriched', 'skipped', 'failed']);

/** Parses a whole audit file's text; a missing final newline counts as a cut line. */
export function parseAuditStrict(text: string): AuditRead {
  const lines: ParsedAuditLine[] = [];
  const errors: string[] = [];
  if (text.length > 0 && !text.endsWith('\n')) errors.push('the file does not end with a newline (a cut last line)');
  text.split('\n').forEach((raw, i) => {
    if (raw === '') return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      errors.push(`line ${String(i + 1)} is not JSON: ${raw.slice(0, 80)}`);
      return;
    }
    const v = value as Record<string, unknown> | null;
    if (
      typeof v !== 'object' || v === null || Array.isArray(v) ||
      typeof v.ts !== 'string' || typeof v.event !== 'string' || !EVENTS.has(v.event) ||
      typeof v.conversationId !== 'string' || typeof v.traceId !== 'string'
    ) {
      errors.push(`line ${String(i + 1)} lacks ts, event, conversationId or traceId: ${raw.slice(0, 80)}`);
      return;
    }
    lines.push(v as ParsedAuditLine);
  });
  return { lines, errors };
}
