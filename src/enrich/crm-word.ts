/**
 * The word the audit trail uses for how the CRM answered. The CRM client's own outcomes say
 * where a value came from (`hit`, `miss`), which operators read wrongly: a `miss` was a fresh
 * fetch, not a customer the CRM does not know. The trail says it plainly.
 */
import type { CrmOutcome } from '../crm/types.js';
import type { AuditCrm } from '../sinks/audit.js';

/** The audit word for a lookup that ended with `outcome`, the customer `found` or not. */
export function auditCrmWord(outcome: CrmOutcome, found: boolean): AuditCrm {
  switch (outcome) {
    case 'hit':
      return found ? 'cache-hit' : 'not-found';
    case 'miss':
      return found ? 'fetched' : 'not-found';
    case 'stale':
      return 'stale';
    case 'timeout':
      return 'timeout';
    case 'error':
      return 'error';
  }
}
