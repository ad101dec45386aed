// The daemon's Genesys client when calls fail: 5xx retried with backoff, bounded; 4xx not
// retried; the network failing; and no error that shows the secret or a token.
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { GenesysClient } from '../../../src/genesys/client.js';
import { GenesysApiError, GenesysNetworkError } from '../../../src/genesys/errors.js';
import { createSdkClient } from '../../../src/genesys/sdk.js';
import { silentLogger } from '../../../src/log.js';
import { DEMO_FLOW_ID } from '../../../src/sandbox/index.js';
import { SANDBOX_CLIENT } from '../../../src/sandbox/options.js';
import { callsTo, clientOptionsFor, FAST_RETRY, printed, rejectionOf, secretsOf, startRig, type Rig } from './harness.js';

const FLOW = '/api/v2/flows/{flowId}';
const CONVERSATION = '/api/v2/conversations/{conversationId}';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let rig: Rig | undefined;

afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

/** A loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => { resolve(); }));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function expectNoSecrets(r: Rig, err: unknown): void {
  const text = printed(err);
  for (const secret of secretsOf(r.sandbox)) expect(text).not.toContain(secret);
}

describe('5xx', () => {
  it('retries with a growing backoff and succeeds', async () => {
    rig = await startRig();
    await rig.client.login();
    rig.sandbox.faults.add({ endpoint: FLOW, status: 503, count: 2 });
    expect((await rig.client.getFlow(DEMO_FLOW_ID)).id).toBe(DEMO_FLOW_ID);
    const calls = callsTo(rig.sandbox, FLOW);
    expect(calls.map((c) => c.status)).toEqual([503, 503, 200]);
    // Full jitter keeps at least half the capped exponential delay: 10 ms, then 20 ms.
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(FAST_RETRY.baseDelayMs / 2);
    expect(calls[2]!.at - calls[1]!.at).toBeGreaterThanOrEqual(FAST_RETRY.baseDelayMs);
  });

  it('gives up after maxAttempts with a GenesysApiError carrying the status and correlation id', async () => {
    rig = await startRig();
    await rig.client.login();
    rig.sandbox.faults.add({ endpoint: FLOW, status: 500 });
    const err = await rejectionOf(() => rig!.client.getFlow(DEMO_FLOW_ID));
    expect(err).toBeInstanceOf(GenesysApiError);
    expect(err).toMatchObject({ code: 'genesys.api', status: 500, genesysCode: 'internal.server.error', endpoint: 'GET /api/v2/flows/{flowId}' });
    expect((err as GenesysApiError).correlationId).toMatch(UUID);
    expect(callsTo(rig.sandbox, FLOW)).toHaveLength(FAST_RETRY.maxAttempts);
    expectNoSecrets(rig, err);
  });
});

describe('4xx other than 401 and 429', () => {
  it('does not retry a 404', async () => {
    rig = await startRig();
    const err = await rejectionOf(() => rig!.client.getConversation('no-such-conversation'));
    expect(err).toBeInstanceOf(GenesysApiError);
    expect(err).toMatchObject({ status: 404, genesysCode: 'not.found', endpoint: 'GET /api/v2/conversations/{conversationId}' });
    expect((err as GenesysApiError).correlationId).toMatch(UUID);
    expect(callsTo(rig.sandbox, CONVERSATION)).toHaveLength(1);
    expectNoSecrets(rig, err);
  });

  it('does not retry a 400', async () => {
    rig = await startRig();
    const err = await rejectionOf(() => rig!.client.patchParticipantAttributes('c', 'p', { n: 1 as unknown as string }));
    expect(err).toMatchObject({ status: 400, genesysCode: 'bad.request' });
    expect(rig.sandbox.calls).toHaveLength(1);
  });
});

describe('the network', () => {
  it('fails a login to a closed port with a GenesysNetworkError', async () => {
    rig = await startRig();
    const port = await closedPort();
    const client = new GenesysClient({ ...clientOptionsFor(`http://127.0.0.1:${port}`) }, { logger: silentLogger });
    try {
      const err = await rejectionOf(() => client.login());
      expect(err).toBeInstanceOf(GenesysNetworkError);
      expect(err).toMatchObject({ code: 'genesys.network', endpoint: 'POST /oauth/token', reason: 'ECONNREFUSED' });
      expectNoSecrets(rig, err);
      // A call logs in first, is retried as a network failure, and fails the same way.
      const callErr = await rejectionOf(() => client.getFlow(DEMO_FLOW_ID));
      expect(callErr).toBeInstanceOf(GenesysNetworkError);
      expectNoSecrets(rig, callErr);
    } finally {
      await client.close();
    }
  });

  it('is needed: the raw SDK error of a failed login carries the Basic credentials', async () => {
    rig = await startRig();
    const sdk = createSdkClient({ gatewayUrl: `http://127.0.0.1:${await closedPort()}` }, { timeoutMs: 1_000, maxSockets: 1 });
    const raw = await rejectionOf(() => sdk.loginClientCredentialsGrant(SANDBOX_CLIENT.clientId, SANDBOX_CLIENT.clientSecret));
    // The check the other tests rely on does see a leak when there is one.
    expect(printed(raw)).toContain(Buffer.from(`${SANDBOX_CLIENT.clientId}:${SANDBOX_CLIENT.clientSecret}`).toString('base64'));
  });

  it('fails an API call with a GenesysNetworkError when the server has gone, without leaking the token', async () => {
    rig = await startRig();
    await rig.client.login();
    expect((await rig.client.getFlow(DEMO_FLOW_ID)).id).toBe(DEMO_FLOW_ID);
    await rig.sandbox.stop();
    const err = await rejectionOf(() => rig!.client.getFlow(DEMO_FLOW_ID));
    expect(err).toBeInstanceOf(GenesysNetworkError);
    expect(err).toMatchObject({ endpoint: 'GET /api/v2/flows/{flowId}', reason: expect.stringMatching(/^E[A-Z]+$/) });
    expect(rig.sandbox.auth.issued).toHaveLength(1);
    expectNoSecrets(rig, err);
  });

  it('normalises a timeout into a GenesysNetworkError', async () => {
    rig = await startRig({}, { timeoutMs: 100 });
    await rig.client.login();
    rig.sandbox.faults.setLatency(FLOW, 400);
    const err = await rejectionOf(() => rig!.client.getFlow(DEMO_FLOW_ID));
    expect(err).toBeInstanceOf(GenesysNetworkError);
    expect((err as GenesysNetworkError).reason).toMatch(/^E[A-Z]+$/);
    expectNoSecrets(rig, err);
  });
});
