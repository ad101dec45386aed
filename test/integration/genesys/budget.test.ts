// The daemon's Genesys client and the API budget: a 429 pauses its endpoint family for Retry-After, and
// the client's own spacing never exceeds a budget equal to the sandbox's.
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_FLOW_ID } from '../../../src/sandbox/index.js';
import { startRig, type Rig } from './harness.js';

let rig: Rig | undefined;

afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

describe('429 with Retry-After', () => {
  it('pauses the family that got it, not the others, then every call succeeds', async () => {
    // One call at a time: the client hears the 429 before it sends the next one (calls already in
    // flight beside a refused one cannot be called back).
    rig = await startRig({}, { requestsPerMinute: 1_200, maxConcurrentRequests: 1 });
    const { client, sandbox } = rig;
    await client.login();
    sandbox.faults.add({ endpoint: '/api/v2/flows/{flowId}', status: 429, count: 1, retryAfterS: 1 });
    const results = await Promise.all([
      client.getFlow(DEMO_FLOW_ID),
      client.findQueuesByName('Support DE'),
      client.getFlowVersion(DEMO_FLOW_ID, '1.0'),
      client.findFlowsByName('Customer Enrichment'),
      client.getFlow(DEMO_FLOW_ID),
      client.findQueuesByName('Sales EN'),
    ]);
    expect(results).toHaveLength(6);
    expect(results[1]).toEqual([{ id: sandbox.options.queues[0]!.id, name: 'Support DE' }]);

    expect(sandbox.calls.map((c) => c.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 429]);
    const refused = sandbox.calls.find((c) => c.status === 429)!;
    const flows = sandbox.calls.filter((c) => c !== refused && c.endpoint.startsWith('/api/v2/flows'));
    const queues = sandbox.calls.filter((c) => c.endpoint === '/api/v2/routing/queues');
    // No flow call reached the sandbox during the second the 429 asked for ...
    expect(flows).toHaveLength(4);
    for (const call of flows) expect(call.at).toBeGreaterThanOrEqual(refused.at + 1_000);
    // ... while the queue lookups went on inside it.
    expect(queues).toHaveLength(2);
    for (const call of queues) expect(call.at).toBeLessThan(refused.at + 1_000);
  });

  it('honours the Retry-After of the sandbox\'s own limiter and never gives up on it early', async () => {
    rig = await startRig({ requestsPerMinute: 3, rateWindowMs: 1_000 }, { requestsPerMinute: 6_000 });
    const { client, sandbox } = rig;
    await client.login();
    // The client believes it may send 100 per second: the sandbox refuses the 4th in each window.
    const flows = await Promise.all(Array.from({ length: 5 }, () => client.getFlow(DEMO_FLOW_ID)));
    expect(flows.every((f) => f.id === DEMO_FLOW_ID)).toBe(true);
    expect(sandbox.limiter.limited).toBeGreaterThan(0);
    const limited = sandbox.calls.filter((c) => c.status === 429);
    const firstLimited = limited[0]!;
    const later = sandbox.calls.filter((c) => c.status === 200 && c.at > firstLimited.at);
    expect(later.length).toBeGreaterThan(0);
    for (const call of later) expect(call.at).toBeGreaterThanOrEqual(firstLimited.at + 1_000);
  });
});

describe('the client\'s own spacing', () => {
  it('never exceeds the sandbox budget when both allow the same number per window', async () => {
    const budget = { perWindow: 10, windowMs: 1_000 };
    rig = await startRig(
      { requestsPerMinute: budget.perWindow, rateWindowMs: budget.windowMs },
      { requestsPerMinute: budget.perWindow, windowMs: budget.windowMs, maxConcurrentRequests: 5 },
    );
    const { client, sandbox } = rig;
    await client.login();
    const count = 15;
    const flows = await Promise.all(Array.from({ length: count }, () => client.getFlow(DEMO_FLOW_ID)));
    expect(flows).toHaveLength(count);
    expect(sandbox.limiter.limited).toBe(0);
    expect(sandbox.calls.map((c) => c.status)).toEqual(Array.from({ length: count }, () => 200));
    // The calls were spread over more than one window, not bunched into the first.
    const span = sandbox.calls.at(-1)!.at - sandbox.calls[0]!.at;
    expect(span).toBeGreaterThanOrEqual(((count - 1) * budget.windowMs) / budget.perWindow - 20);
  });
});
