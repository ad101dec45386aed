/**
 * One readable line per audit record. Values come from a file anyone may have edited, so every
 * string is cleaned of control characters and capped before it reaches a terminal. Audit lines
 * hold no customer data (attribute values are hashes and are not shown at all).
 */
import type { AuditRecord } from './record.js';

const SHORT_ID = 8;
const MAX_TEXT = 60;

/** `2026-03-01 05:08:27Z  enriched  -  447a0cc8  q=1a2b3c4d  call  crm=cache-hit  written=8  12.5 ms` */
export function formatRecord(r: AuditRecord): string {
  const parts = [
    formatTime(r.time),
    clean(r.event).padEnd(8),
    clean(r.reason ?? '-').padEnd(20),
    clean(r.conversationId.slice(0, SHORT_ID)).padEnd(SHORT_ID),
    `q=${clean(r.queueId?.slice(0, SHORT_ID) ?? '-')}`.padEnd(SHORT_ID + 2),
    clean(r.media ?? '-').padEnd(8),
    `crm=${clean(r.crm ?? '-')}`.padEnd(11),
    `written=${r.writtenKeys}`,
  ];
  if (r.dropped.length > 0) parts.push(`dropped=${r.dropped.map((d) => (d.reason ? `${clean(d.field)}(${clean(d.reason)})` : clean(d.field))).join(',')}`);
  parts.push(formatMs(r.totalMs));
  return parts.join('  ');
}

/** Epoch ms as `YYYY-MM-DD HH:MM:SSZ` (UTC, like the audit trail itself). */
export function formatTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

/** A duration in ms with one decimal, or `-`. */
export function formatMs(ms: number | undefined): string {
  return ms === undefined ? '-' : `${ms.toFixed(1)} ms`;
}

/** Control characters out (no terminal escapes from a file), long text cut. */
export function clean(text: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  const printable = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return printable.length > MAX_TEXT ? `${printable.slice(0, MAX_TEXT - 1)}…` : printable;
}
