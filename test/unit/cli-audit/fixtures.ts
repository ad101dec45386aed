/** Audit lines for the audit reader's tests, shaped like the daemon writes them (sinks/audit.ts). */
import type { AuditLine } from '../../../src/sinks/audit.js';

const BASE = { traceId: '0b3c5a4e-8a3f-4f7e-9b59-2f0f6f1a9c11', participantId: 'p-1', queueId: 'a1b2c3d4-0000-4000-8000-000000000001', media: 'call' };

/** Fields to set; `undefined` leaves a field out. */
export type LineFields = { [K in Exclude<keyof AuditLine, 'crm'>]?: AuditLine[K] | undefined } & {
  conversationId: string;
  ts: string;
  /** Today's words, or `hit`/`miss` as trails of earlier versions say. */
  crm?: AuditLine['crm'] | 'hit' | 'miss' | undefined;
};

/** An audit line with the given fields over a plausible enriched one. */
export function auditLine(fields: LineFields): AuditLine {
  return {
    ...BASE,
    event: 'enriched',
    crm: 'cache-hit',
    attributes: { 'crm.accountId': 'f00ba4c0ffee', 'crm.tier': '0123456789ab', 'crm.enricher.traceId': 'aaaaaaaaaaaa' },
    latencyMs: { crm: 3, write: 5, total: 10 },
    schemaVersion: '1.0',
    source: 'live',
    ...fields,
  } as AuditLine;
}

/** The JSON line for {@link auditLine}. */
export function jsonLine(fields: LineFields): string {
  return JSON.stringify(auditLine(fields));
}
