/**
 * Trails written before the audit said `cache-hit`, `fetched` and `not-found` used the CRM
 * client's words `hit` and `miss`: the reader shows both in today's words, so a summary over old
 * and new files counts one thing once.
 */

/** Today's word for the `crm` field of a line (its `reason` tells a not-found `miss`). */
export function currentCrmWord(crm: string, reason: string | undefined): string {
  if (reason === 'crm-not-found' && (crm === 'hit' || crm === 'miss')) return 'not-found';
  if (crm === 'hit') return 'cache-hit';
  if (crm === 'miss') return 'fetched';
  return crm;
}
