/**
 * The API caller and a PATCH whose answer is lost: it is not retried by the caller (the pipeline
 * reads the conversation back first), while other calls keep their network retries.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { GenesysNetworkError } from '../../../src/genesys/errors.js';
import { DEMO_FLOW_ID } from '../../../src/sandbox/index.js';
import { rejectionOf, startRig, type Rig } from '../genesys/harness.js';

const PATCH = 'PATCH /api/v2/conversations/{conversationId}/participants/{participantId}/attributes';
const PATCH_ROUTE = '/api/v2/conversations/{conversationId}/participants/{participantId}/attributes';
const FLOW_ROUTE = '/api/v2/flows/{flowId}';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

describe('a timed-out call', () => {
  it('is sent once when it is a PATCH, and retried when it is a read', async () => {
    const attempts: string[] = [];
    rig = await startRig({}, { timeoutMs: 200 }, { observer: { onAttempt: (endpoint) => { attempts.push(endpoint); } } });
    await rig.client.login();
    rig.sandbox.faults.setLatency(PATCH_ROUTE, 1_000);
    rig.sandbox.faults.setLatency(FLOW_ROUTE, 1_000);

    const patch = await rejectionOf(() => rig!.client.patchParticipantAttributes('c-1', 'p-1', { 'crm.a': 'b' }));
    expect(patch).toBeInstanceOf(GenesysNetworkError);
    expect(attempts.filter((e) => e === PATCH)).toHaveLength(1);

    const read = await rejectionOf(() => rig!.client.getFlow(DEMO_FLOW_ID));
    expect(read).toBeInstanceOf(GenesysNetworkError);
    expect(attempts.filter((e) => e.startsWith('GET /api/v2/flows/')).length).toBeGreaterThan(1);
  });
});
