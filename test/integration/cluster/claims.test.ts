import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisClaims } from '../../../src/cluster/claims.js';
import { createRedisClient, probeRedis, type RedisClient } from '../../../src/cluster/connect.js';
import { ClusterCoordinator, type Acquired, type ClusterAvailability, type CoordinatorEvents, type Lease } from '../../../src/cluster/coordinator.js';
import { clusterKeys } from '../../../src/cluster/keys.js';
import { RedisServer, skipWithoutRedis } from '../../helpers/redis-server.js';
import { waitFor } from '../../helpers/wait-for.js';

const KEYS = clusterKeys('test', (id) => id);

function mine(acquired: Acquired): Lease {
  if (acquired.kind !== 'mine') throw new Error(`expected a claim, got ${acquired.kind}`);
  return acquired.lease;
}

describe.skipIf(skipWithoutRedis())('claims and done-set in Redis', () => {
  let server: RedisServer;
  const clients: RedisClient[] = [];
  const coordinators: ClusterCoordinator[] = [];

  beforeAll(async () => {
    server = await RedisServer.start();
  });
  afterEach(() => {
    for (const c of coordinators.splice(0)) c.close();
    for (const c of clients.splice(0)) c.disconnect();
  });
  afterAll(async () => {
    await server.stop();
  });

  async function instance(id: string, leaseMs = 30_000, events: CoordinatorEvents = {}, renewMs?: number): Promise<ClusterCoordinator> {
    const client = createRedisClient(server.url, { connectTimeoutMs: 1_000, connectionName: id, failFast: true });
    clients.push(client);
    await probeRedis(client, server.url, 2_000);
    const claims = new RedisClaims(client, KEYS, { instanceId: id, leaseMs, doneRetentionMs: 86_400_000 }, randomUUID);
    const coordinator = new ClusterCoordinator(claims, client, { leaseMs, retryDelayMs: 100, ...(renewMs !== undefined && { renewMs }) }, events);
    coordinators.push(coordinator);
    return coordinator;
  }

  it('lets one instance hold a conversation; after done nobody takes it again', async () => {
    const [a, b] = [await instance('a'), await instance('b')];
    const id = randomUUID();
    const lease = mine(await a.acquire(id));
    expect(await b.acquire(id)).toMatchObject({ kind: 'held', by: 'a' });
    expect(await lease.confirm()).toBe(true);
    await lease.finish();
    expect(await b.acquire(id)).toEqual({ kind: 'done', by: 'a' });
    expect(await a.acquire(id)).toEqual({ kind: 'done', by: 'a' });
  });

  it('keeps the done record for the retention', async () => {
    const a = await instance('a');
    const id = randomUUID();
    await mine(await a.acquire(id)).finish();
    const direct = clients[0]!;
    const ttl = await direct.pttl(KEYS.done(id));
    expect(ttl).toBeGreaterThan(86_400_000 - 60_000);
    expect(await direct.exists(KEYS.claim(id))).toBe(0);
  });

  it('lets another instance take over at once after an abandon', async () => {
    const [a, b] = [await instance('a'), await instance('b')];
    const id = randomUUID();
    await mine(await a.acquire(id)).abandon();
    expect((await b.acquire(id)).kind).toBe('mine');
  });

  it('renews the lease while the holder works, so a slow write keeps its claim', async () => {
    const [a, b] = [await instance('a', 1_000), await instance('b', 1_000)];
    const id = randomUUID();
    const lease = mine(await a.acquire(id));
    // Three lease lengths pass; the background renewal keeps the claim.
    const until = Date.now() + 3_000;
    while (Date.now() < until) {
      expect(await b.acquire(id)).toMatchObject({ kind: 'held', by: 'a' });
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(await lease.confirm()).toBe(true);
  });

  it('hands a frozen holder\'s conversation to another after the lease, and the old holder then does not write', async () => {
    const lost: string[] = [];
    // a never renews: as if its process froze right after claiming.
    const a = await instance('a', 1_000, { onLeaseLost: (id) => lost.push(id) }, 60_000);
    const b = await instance('b', 1_000);
    const id = randomUUID();
    const stale = mine(await a.acquire(id));
    const taken = await waitFor(async () => {
      const got = await b.acquire(id);
      return got.kind === 'mine' ? got.lease : undefined;
    }, { timeoutMs: 5_000, intervalMs: 100, what: 'b takes over' });
    expect(taken.token.startsWith('b/')).toBe(true);
    // a wakes up: its confirm before the write finds the claim is b's.
    expect(await stale.confirm()).toBe(false);
    expect(lost).toEqual([id]);
    await stale.abandon();
    expect(await taken.confirm()).toBe(true);
  });

  it('lets a holder whose lease ran out with nobody else waiting take it again on confirm', async () => {
    const a = await instance('a', 1_000, {}, 60_000);
    const id = randomUUID();
    const lease = mine(await a.acquire(id));
    await waitFor(async () => (await clients[0]!.exists(KEYS.claim(id))) === 0, { timeoutMs: 5_000, intervalMs: 100, what: 'lease expiry' });
    expect(await lease.confirm()).toBe(true);
    expect(await clients[0]!.get(KEYS.claim(id))).toBe(lease.token);
  });

  it('answers which of many conversations are done in one call', async () => {
    const a = await instance('a');
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    await mine(await a.acquire(ids[1]!)).finish();
    expect(await a.doneAmong(ids)).toEqual(new Set([ids[1]]));
    expect(await a.doneAmong([])).toEqual(new Set());
  });

  it('waits while Redis is down, says why, and claims once it is back', async () => {
    const seen: ClusterAvailability[] = [];
    const a = await instance('a', 30_000, { onAvailability: (s) => seen.push(s) });
    const id = randomUUID();
    await server.pause();
    const pending = a.acquire(id);
    await waitFor(() => a.availability().waiting === 1 && !a.availability().available, { what: 'acquire waits' });
    expect(a.availability().fault).toBe('unreachable');
    expect(await a.doneAmong([id])).toBeUndefined();
    await server.resume();
    const got = await pending;
    expect(got.kind).toBe('mine');
    expect(a.availability()).toMatchObject({ available: true, waiting: 0 });
    expect(seen.map((s) => s.available)).toEqual([false, true]);
  });

  it('treats a full Redis (maxmemory) as an outage: no claim until it has room', async () => {
    const a = await instance('a');
    const admin = clients[0]!;
    await admin.config('SET', 'maxmemory-policy', 'noeviction');
    await admin.config('SET', 'maxmemory', '1');
    try {
      const pending = a.acquire(randomUUID());
      await waitFor(() => a.availability().fault === 'full', { what: 'full reported' });
      await admin.config('SET', 'maxmemory', '0');
      expect((await pending).kind).toBe('mine');
    } finally {
      await admin.config('SET', 'maxmemory', '0');
    }
  });

  it('gives waiters up when closed', async () => {
    const a = await instance('a');
    await server.pause();
    try {
      const pending = a.acquire(randomUUID());
      await waitFor(() => a.availability().waiting === 1, { what: 'acquire waits' });
      a.close();
      expect(await pending).toEqual({ kind: 'stopped' });
    } finally {
      await server.resume();
    }
  });
});
