/** Which audit records `--conversation` and `--since` keep. */
import type { AuditRecord } from './record.js';

/** The filters of one `audit` run; absent means "any". */
export interface AuditFilter {
  /** A conversation id, or its leading characters as the readable lines print them. */
  readonly conversationId?: string;
  /** Epoch ms: records stamped earlier are left out. */
  readonly sinceMs?: number;
}

/** Whether `record` passes `filter`. */
export function matchesFilter(record: AuditRecord, filter: AuditFilter): boolean {
  if (filter.sinceMs !== undefined && record.time < filter.sinceMs) return false;
  if (filter.conversationId !== undefined) {
    const wanted = filter.conversationId.trim().toLowerCase();
    if (!record.conversationId.toLowerCase().startsWith(wanted)) return false;
  }
  return true;
}
