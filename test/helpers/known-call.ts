/** A call connected in a queue from a caller the fake CRM knows, stepped by hand while traffic is paused. */
import type { FakeCrm } from '../../src/sandbox/crm/index.js';
import type { Sandbox } from '../../src/sandbox/index.js';

/**
 * Returns a function that connects one call per invocation in `queueId`, each from a new phone
 * (`prefix` followed by a counter) whose CRM record is set first: a random sandbox customer is unknown
 * one time in ten, or withholds the number, and would get no write at all.
 */
export function knownCallConnector(sandbox: Sandbox, crm: FakeCrm, prefix: string, queueId: string): () => Promise<string> {
  let customers = 0;
  return async () => {
    const phone = `${prefix}${String(100 + customers++)}`;
    crm.setRecord(phone, { account: { id: `ACC-${phone.slice(-6)}` } });
    const conv = await sandbox.traffic.startOne({ media: 'call', script: 'connect', queueId, customerAddress: `tel:${phone}` });
    while (!sandbox.org.connected.has(conv.id)) sandbox.traffic.step(conv.id);
    return conv.id;
  };
}
