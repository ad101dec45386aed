// Login and 401s through the official SDK, and the correlation id on every answer.
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../helpers/wait-for.js';
import type { Sandbox } from '../../../src/sandbox/index.js';
import { SANDBOX_CLIENT } from '../../../src/sandbox/options.js';
import { apis, extended, login, newClient, start, UUID } from './harness.js';

let sandbox: Sandbox | undefined;

afterEach(async () => {
  await sandbox?.stop();
  sandbox = undefined;
});

async function setup(...args: Parameters<typeof start>): Promise<Sandbox> {
  sandbox = await start(...args);
  return sandbox;
}

/** The status and Genesys code with which the SDK rejects a call (its default, body-only form). */
async function rejection(call: Promise<unknown>): Promise<{ status: unknown; code: unknown }> {
  try {
    await call;
  } catch (err) {
    const e = err as { status?: unknown; code?: unknown };
    return { status: e.status, code: e.code };
  }
  throw new Error('the call unexpectedly succeeded');
}

describe('login', () => {
  it('issues a bearer token with expires_in for good credentials, and the SDK uses it', async () => {
    const sb = await setup({ tokenLifetimeS: 600 });
    const client = newClient(sb.port);
    const before = Date.now();
    const auth = await client.loginClientCredentialsGrant(SANDBOX_CLIENT.clientId, SANDBOX_CLIENT.clientSecret);
    expect(sb.auth.issued).toEqual([auth.accessToken]);
    expect(auth.tokenExpiryTime).toBeGreaterThanOrEqual(before + 600_000);
    expect(auth.tokenExpiryTime).toBeLessThanOrEqual(Date.now() + 600_000);
    const queues = await apis(client).routing.getRoutingQueues({ name: 'Support DE' });
    expect(queues.entities?.map((q) => q.name)).toEqual(['Support DE']);
    // Login is not an API call: the record holds only the queue lookup.
    expect(sb.calls.map((c) => [c.endpoint, c.status, c.clientId])).toEqual([['/api/v2/routing/queues', 200, 'sandbox-client']]);
  });

  it('answers the token request as Genesys does, with a correlation id', async () => {
    const sb = await setup({ tokenLifetimeS: 900 });
    const basic = Buffer.from(`${SANDBOX_CLIENT.clientId}:${SANDBOX_CLIENT.clientSecret}`).toString('base64');
    const res = await fetch(`${sb.url}/oauth/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('inin-correlation-id')).toMatch(UUID);
    expect(await res.json()).toEqual({ access_token: sb.auth.issued[0], token_type: 'bearer', expires_in: 900 });

    const wrongGrant = await fetch(`${sb.url}/oauth/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=password',
    });
    expect(wrongGrant.status).toBe(400);
    expect(wrongGrant.headers.get('inin-correlation-id')).toMatch(UUID);
  });

  it.each([
    ['a wrong secret', SANDBOX_CLIENT.clientId, 'not-the-secret'],
    ['an unknown client', 'nobody', SANDBOX_CLIENT.clientSecret],
    ['an empty secret', SANDBOX_CLIENT.clientId, ''],
  ])('rejects %s with 401 invalid_client and issues nothing', async (_what, clientId, secret) => {
    const sb = await setup();
    const err: unknown = await newClient(sb.port).loginClientCredentialsGrant(clientId, secret).then(
      () => undefined,
      (e: unknown) => e,
    );
    // The SDK rejects a failed login with the raw axios error.
    expect(err).toMatchObject({ status: 401, response: { status: 401, data: { error: 'invalid_client' } } });
    expect(sb.auth.issued).toEqual([]);
  });
});

describe('401 on API calls', () => {
  it('without any token: 401 authentication.required', async () => {
    const sb = await setup();
    const res = await fetch(`${sb.url}/api/v2/routing/queues`);
    expect(res.status).toBe(401);
    expect(res.headers.get('inin-correlation-id')).toMatch(UUID);
    expect(await res.json()).toMatchObject({ status: 401, code: 'authentication.required' });
    // An SDK client that never logged in is refused the same way.
    expect(await rejection(apis(newClient(sb.port)).routing.getRoutingQueues())).toEqual({ status: 401, code: expect.any(String) });
  });

  it('with an unknown token: 401 bad.credentials', async () => {
    const sb = await setup();
    const client = newClient(sb.port);
    client.setAccessToken('made-up-token');
    expect(await rejection(apis(client).routing.getRoutingQueues())).toEqual({ status: 401, code: 'bad.credentials' });
    expect(sb.calls.map((c) => c.status)).toEqual([401]);
  });

  it('with an expired token (expireAll): 401, and a new login works again', async () => {
    const sb = await setup();
    const api = await login(sb.port);
    await api.routing.getRoutingQueues();
    sb.auth.expireAll();
    expect(await rejection(api.routing.getRoutingQueues())).toEqual({ status: 401, code: 'bad.credentials' });
    expect(sb.auth.activeCount()).toBe(0);
    const again = await login(sb.port);
    expect((await again.routing.getRoutingQueues()).entities).toHaveLength(3);
  });

  it('with a token whose short lifetime ran out: 401', async () => {
    const sb = await setup({ tokenLifetimeS: 1 });
    const api = await login(sb.port);
    expect((await api.routing.getRoutingQueues()).entities).toHaveLength(3);
    const status = await waitFor(
      async () => {
        const { status: s } = await rejection(api.routing.getRoutingQueues()).catch(() => ({ status: undefined }));
        return s === 401 ? s : undefined;
      },
      { timeoutMs: 3_000, intervalMs: 100, what: 'the token to expire' },
    );
    expect(status).toBe(401);
  });

  it('with a revoked token: 401, while another client\'s token still works', async () => {
    const other = { clientId: 'other-client', clientSecret: 'other-secret' };
    const sb = await setup({ clients: [SANDBOX_CLIENT, other] });
    const mine = await login(sb.port);
    const theirs = await login(sb.port, { credentials: other });
    expect(sb.auth.revoke('sandbox-client')).toHaveLength(1);
    expect(await rejection(mine.routing.getRoutingQueues())).toEqual({ status: 401, code: 'bad.credentials' });
    expect((await theirs.routing.getRoutingQueues()).entities).toHaveLength(3);
  });
});

describe('inin-correlation-id', () => {
  it('is on every answer, success or error, unique per answer, and equals the error body\'s contextId', async () => {
    const sb = await setup({ requestsPerMinute: 4, rateWindowMs: 60_000 });
    const api = await login(sb.port, { extended: true });
    const answers = [
      await extended(api.routing.getRoutingQueues()),
      await extended(api.conversations.getConversation('no-such-conversation')),
      await extended(api.conversations.patchConversationParticipantAttributes('c', 'p', { attributes: 'nope' as never })),
      await extended(api.architect.getFlow('0f3b1c2d-4e5f-4a6b-8c7d-9e0f1a2b3c4d')),
      await extended(api.routing.getRoutingQueues()),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 404, 400, 200, 429]);
    const unauthenticated = newClient(sb.port, { extended: true });
    unauthenticated.setAccessToken('made-up-token');
    answers.push(await extended(apis(unauthenticated).routing.getRoutingQueues()));
    expect(answers.at(-1)?.status).toBe(401);

    const ids = answers.map((a) => a.headers['inin-correlation-id']);
    for (const id of ids) expect(id).toMatch(UUID);
    expect(new Set(ids).size).toBe(ids.length);
    for (const a of answers.filter((x) => x.status >= 400)) {
      expect((a.body as { contextId?: string }).contextId).toBe(a.headers['inin-correlation-id']);
    }
  });
});
