// The daemon's Genesys client and its token: login, renewal before expiry, one re-login for
// many concurrent 401s, and login failures that leak nothing.
import { afterEach, describe, expect, it } from 'vitest';
import { GenesysApiError } from '../../../src/genesys/errors.js';
import { DEMO_FLOW_ID } from '../../../src/sandbox/index.js';
import { callsTo, printed, rejectionOf, secretsOf, startRig, type Rig } from './harness.js';

const FLOW = '/api/v2/flows/{flowId}';
let rig: Rig | undefined;

afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

describe('login', () => {
  it('logs in once and keeps using the token', async () => {
    rig = await startRig({ tokenLifetimeS: 600 });
    await rig.client.login();
    expect(rig.sandbox.auth.issued).toHaveLength(1);
    expect(rig.client.tokens.valid()).toBe(true);
    expect(rig.client.tokens.expiry).toBeGreaterThan(Date.now() + 590_000);
    for (let i = 0; i < 3; i++) expect((await rig.client.getFlow(DEMO_FLOW_ID)).id).toBe(DEMO_FLOW_ID);
    expect(rig.sandbox.auth.issued).toHaveLength(1);
  });

  it('logs in lazily on the first call', async () => {
    rig = await startRig();
    expect((await rig.client.getFlow(DEMO_FLOW_ID)).id).toBe(DEMO_FLOW_ID);
    expect(rig.sandbox.auth.issued).toHaveLength(1);
  });

  it('fails on a wrong secret with a GenesysApiError(401) that shows neither secret', async () => {
    rig = await startRig();
    const wrong = rig.another({ clientSecret: 'the-wrong-secret' });
    const err = await rejectionOf(() => wrong.login());
    expect(err).toBeInstanceOf(GenesysApiError);
    expect(err).toMatchObject({ status: 401, endpoint: 'POST /oauth/token', genesysCode: 'invalid_client' });
    const text = printed(err);
    for (const secret of [...secretsOf(rig.sandbox), 'the-wrong-secret', Buffer.from('sandbox-client:the-wrong-secret').toString('base64')]) {
      expect(text).not.toContain(secret);
    }
    expect(rig.sandbox.auth.issued).toEqual([]);
  });
});

describe('renewal', () => {
  it('renews the token before it expires: calls keep working and no 401 is ever answered', async () => {
    const logins: number[] = [];
    // 2 s tokens; calls spaced 100 ms apart by the client's own budget.
    rig = await startRig({ tokenLifetimeS: 2 }, { renewBeforeMs: 500, requestsPerMinute: 600 }, { onTokenRenewed: () => logins.push(Date.now()) });
    await rig.client.login();
    const firstExpiry = rig.client.tokens.expiry;
    let calls = 0;
    while (Date.now() < firstExpiry + 400) {
      expect((await rig.client.getFlow(DEMO_FLOW_ID)).id).toBe(DEMO_FLOW_ID);
      calls++;
    }
    expect(calls).toBeGreaterThan(10);
    expect(rig.sandbox.auth.issued.length).toBeGreaterThanOrEqual(2);
    // The renewal happened ahead of the old token's expiry, not in answer to a 401.
    expect(logins[1]).toBeLessThan(firstExpiry);
    expect(rig.client.tokens.expiry).toBeGreaterThan(firstExpiry);
    expect(callsTo(rig.sandbox, FLOW).map((c) => c.status).filter((s) => s !== 200)).toEqual([]);
  });
});

describe('re-login after a 401', () => {
  it('logs in again exactly once for many concurrent calls that all got 401, and they all succeed', async () => {
    rig = await startRig({}, { maxConcurrentRequests: 10 });
    await rig.client.login();
    // A slow endpoint keeps every call in flight together, so they all meet the revoked token.
    rig.sandbox.faults.setLatency(FLOW, 50);
    rig.sandbox.auth.revoke();
    const flows = await Promise.all(Array.from({ length: 10 }, () => rig!.client.getFlow(DEMO_FLOW_ID)));
    expect(flows.every((f) => f.id === DEMO_FLOW_ID)).toBe(true);

    const statuses = callsTo(rig.sandbox, FLOW).map((c) => c.status);
    expect(statuses.filter((s) => s === 401).length).toBeGreaterThan(1);
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(rig.sandbox.auth.issued).toHaveLength(2);
  });

  it('also after the token expired on the server before the client expected it', async () => {
    rig = await startRig();
    await rig.client.login();
    rig.sandbox.auth.expireAll();
    expect((await rig.client.getFlow(DEMO_FLOW_ID)).id).toBe(DEMO_FLOW_ID);
    expect(callsTo(rig.sandbox, FLOW).map((c) => c.status)).toEqual([401, 200]);
    expect(rig.sandbox.auth.issued).toHaveLength(2);
  });

  it('gives up with the 401 when the fresh token is refused too, without logging in again and again', async () => {
    rig = await startRig();
    await rig.client.login();
    // Every token is refused from now on: the new one as well.
    rig.sandbox.faults.add({ endpoint: FLOW, status: 401 });
    const err = await rejectionOf(() => rig!.client.getFlow(DEMO_FLOW_ID));
    expect(err).toBeInstanceOf(GenesysApiError);
    expect(err).toMatchObject({ status: 401, endpoint: 'GET /api/v2/flows/{flowId}' });
    expect(rig.sandbox.auth.issued).toHaveLength(2);
    expect(callsTo(rig.sandbox, FLOW)).toHaveLength(2);
    const text = printed(err);
    for (const secret of secretsOf(rig.sandbox)) expect(text).not.toContain(secret);
  });
});
