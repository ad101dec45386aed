// The request budget (429 with Retry-After and Genesys' body) and injected REST faults, seen
// through the official SDK with extended responses.
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../helpers/wait-for.js';
import { DEMO_FLOW_ID, type Sandbox } from '../../../src/sandbox/index.js';
import { extended, login, start, type Apis } from './harness.js';

let sandbox: Sandbox | undefined;

afterEach(async () => {
  await sandbox?.stop();
  sandbox = undefined;
});

interface GenesysErrorBody {
  readonly message: string;
  readonly code: string;
  readonly status: number;
}

const QUEUES = '/api/v2/routing/queues';
const FLOW = '/api/v2/flows/{flowId}';

function queues(api: Apis) {
  return extended<GenesysErrorBody>(api.routing.getRoutingQueues());
}

describe('the per-token budget', () => {
  it('answers 429 past requestsPerMinute with Retry-After and the Genesys body, then recovers after the window', async () => {
    sandbox = await start({ requestsPerMinute: 5, rateWindowMs: 1_200 });
    const api = await login(sandbox.port, { extended: true });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await queues(api)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200]);

    const limited = await queues(api);
    expect(limited.status).toBe(429);
    const seconds = Number(limited.headers['retry-after']);
    expect(seconds).toBeGreaterThanOrEqual(1);
    expect(seconds).toBeLessThanOrEqual(2);
    expect(limited.body).toMatchObject({ status: 429, code: 'too.many.requests.retry.after' });
    expect(limited.body.message).toBe(`Rate limit exceeded the maximum. Retry the request in [${seconds}] seconds`);
    expect(sandbox.limiter.limited).toBe(1);

    // Another token has a budget of its own (Genesys counts per client-credentials token).
    const other = await login(sandbox.port, { extended: true });
    expect((await queues(other)).status).toBe(200);

    // Refused calls do not use up the budget; once the window has passed the first token works again.
    await waitFor(async () => (await queues(api)).status === 200, { timeoutMs: 4_000, intervalMs: 100, what: 'the window to pass' });
    expect(sandbox.calls.filter((c) => c.status === 429).length).toBe(sandbox.limiter.limited);
  });

  it('limits every endpoint out of the same budget', async () => {
    sandbox = await start({ requestsPerMinute: 2, rateWindowMs: 60_000 });
    const api = await login(sandbox.port, { extended: true });
    expect((await queues(api)).status).toBe(200);
    expect((await extended(api.architect.getFlow(DEMO_FLOW_ID))).status).toBe(200);
    expect((await extended(api.conversations.getConversation('x'))).status).toBe(429);
    expect(Number((await queues(api)).headers['retry-after'])).toBeGreaterThan(50);
  });
});

describe('injected faults', () => {
  it('answers the next `count` calls of one endpoint with 429 and the given Retry-After, then normally', async () => {
    sandbox = await start();
    const api = await login(sandbox.port, { extended: true });
    sandbox.faults.add({ endpoint: QUEUES, status: 429, count: 2, retryAfterS: 7 });
    const first = await queues(api);
    expect(first.status).toBe(429);
    expect(first.headers['retry-after']).toBe('7');
    expect(first.body).toMatchObject({ code: 'too.many.requests.retry.after', message: expect.stringContaining('[7] seconds') });
    // Other endpoints are untouched.
    expect((await extended(api.architect.getFlow(DEMO_FLOW_ID))).status).toBe(200);
    expect((await queues(api)).status).toBe(429);
    expect((await queues(api)).status).toBe(200);
    expect(sandbox.faults.injected.get(429)).toBe(2);
    expect(sandbox.calls.map((c) => [c.endpoint, c.status])).toEqual([
      [QUEUES, 429],
      [FLOW, 200],
      [QUEUES, 429],
      [QUEUES, 200],
    ]);
  });

  it('answers 503 (and 500) with a Genesys body; a method filter spares other methods', async () => {
    sandbox = await start();
    const api = await login(sandbox.port, { extended: true });
    sandbox.faults.add({ endpoint: '*', status: 503, count: 1 });
    const unavailable = await queues(api);
    expect(unavailable.status).toBe(503);
    expect(unavailable.body).toMatchObject({ status: 503, code: 'service.unavailable' });
    expect(unavailable.headers['retry-after']).toBeUndefined();
    expect((await queues(api)).status).toBe(200);

    sandbox.faults.add({ endpoint: '/api/v2/conversations/{conversationId}/participants/{participantId}/attributes', method: 'PATCH', status: 500, count: 1 });
    expect((await extended(api.conversations.getConversation('nope'))).status).toBe(404);
    const failed = await extended<GenesysErrorBody>(api.conversations.patchConversationParticipantAttributes('nope', 'p', { attributes: { a: 'b' } }));
    expect(failed.status).toBe(500);
    expect(failed.body.code).toBe('internal.server.error');
    // The fault fires before the handler: the next PATCH reaches it and gets its honest 404.
    expect((await extended(api.conversations.patchConversationParticipantAttributes('nope', 'p', { attributes: { a: 'b' } }))).status).toBe(404);
    expect([...sandbox.faults.injected]).toEqual([[503, 1], [500, 1]]);
  });

  it('clear() removes rules that have not fired', async () => {
    sandbox = await start();
    const api = await login(sandbox.port, { extended: true });
    sandbox.faults.add({ endpoint: QUEUES, status: 503 });
    expect((await queues(api)).status).toBe(503);
    expect((await queues(api)).status).toBe(503);
    sandbox.faults.clear();
    expect((await queues(api)).status).toBe(200);
  });

  it('delays one endpoint by the injected latency while others answer first', async () => {
    sandbox = await start();
    const api = await login(sandbox.port, { extended: true });
    sandbox.faults.setLatency(QUEUES, 300);
    const order: string[] = [];
    const started = Date.now();
    const slow = queues(api).then((r) => {
      order.push('queues');
      return r;
    });
    const fast = extended(api.architect.getFlow(DEMO_FLOW_ID)).then((r) => {
      order.push('flow');
      return r;
    });
    expect((await Promise.all([slow, fast])).map((r) => r.status)).toEqual([200, 200]);
    expect(order).toEqual(['flow', 'queues']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(295);
    expect(sandbox.faults.latencyFor(QUEUES)).toBe(300);
    expect(sandbox.faults.latencyFor(FLOW)).toBe(0);
    sandbox.faults.setLatency(QUEUES, 0);
    expect(sandbox.faults.latencyFor(QUEUES)).toBe(0);
  });
});
