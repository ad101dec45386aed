/**
 * One audit line read back from a file. The file is not trusted to be well formed: a line may be
 * half written (the daemon was killed mid-write), garbage (someone edited the file), or from a
 * newer version with more fields. Only the fields the reader shows are checked and kept.
 */

import { currentCrmWord } from './crm-words.js';

/** A dropped field and why it was not written. */
export interface DroppedField {
  readonly field: string;
  readonly reason: string;
}

/** The parts of an audit line the reader uses, plus the line as it was. */
export interface AuditRecord {
  /** The line's text, unchanged (what `--json` prints). */
  readonly raw: string;
  readonly ts: string;
  /** `ts` as epoch ms. */
  readonly time: number;
  readonly event: string;
  readonly reason?: string;
  readonly conversationId: string;
  readonly queueId?: string;
  readonly media?: string;
  readonly crm?: string;
  /** Written attribute keys, the marker attribute not counted. */
  readonly writtenKeys: number;
  readonly dropped: readonly DroppedField[];
  /** `latencyMs.total`, when present. */
  readonly totalMs?: number;
}

/** What a line turned out to be. */
export type ParsedLine =
  | { readonly kind: 'record'; readonly record: AuditRecord }
  | { readonly kind: 'blank' }
  | { readonly kind: 'garbage'; readonly why: 'not JSON' | 'not an audit line' };

// Every enrichment writes `<prefix>enricher.traceId` as its "done" marker: not CRM data.
const MARKER_SUFFIX = 'enricher.traceId';

/** Parses one line (without its newline). */
export function parseAuditLine(text: string): ParsedLine {
  const raw = text.trim();
  if (raw === '') return { kind: 'blank' };
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { kind: 'garbage', why: 'not JSON' };
  }
  if (!isObject(value)) return { kind: 'garbage', why: 'not an audit line' };
  const { ts, event, conversationId } = value;
  const time = typeof ts === 'string' ? Date.parse(ts) : Number.NaN;
  if (typeof ts !== 'string' || Number.isNaN(time) || !nonEmpty(event) || !nonEmpty(conversationId)) return { kind: 'garbage', why: 'not an audit line' };
  const attributes = isObject(value.attributes) ? Object.keys(value.attributes) : [];
  const latency = isObject(value.latencyMs) ? value.latencyMs.total : undefined;
  const record: AuditRecord = {
    raw,
    ts,
    time,
    event,
    conversationId,
    ...optionalString('reason', value.reason),
    ...optionalString('queueId', value.queueId),
    ...optionalString('media', value.media),
    ...(typeof value.crm === 'string' && value.crm !== '' && { crm: currentCrmWord(value.crm, typeof value.reason === 'string' ? value.reason : undefined) }),
    writtenKeys: attributes.filter((k) => !k.endsWith(MARKER_SUFFIX)).length,
    dropped: Array.isArray(value.dropped) ? value.dropped.flatMap(droppedField) : [],
    ...(typeof latency === 'number' && Number.isFinite(latency) && latency >= 0 && { totalMs: latency }),
  };
  return { kind: 'record', record };
}

function droppedField(item: unknown): DroppedField[] {
  if (!isObject(item) || !nonEmpty(item.field)) return [];
  return [{ field: item.field, reason: typeof item.reason === 'string' ? item.reason : '' }];
}

function optionalString<K extends string>(key: K, v: unknown): Partial<Record<K, string>> {
  return nonEmpty(v) ? ({ [key]: v } as Partial<Record<K, string>>) : {};
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function nonEmpty(v: unknown): v is string {
  return typeof v === 'string' && v !== '';
}
