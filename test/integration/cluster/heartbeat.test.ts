import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisClient, probeRedis, type RedisClient } from '../../../src/cluster/connect.js';
import { Heartbeat } from '../../../src/cluster/heartbeat.js';
import { clusterKeys } from '../../../src/cluster/keys.js';
import { RedisServer, skipWithoutRedis } from '../../helpers/redis-server.js';
import { waitFor } from '../../helpers/wait-for.js';

describe.skipIf(skipWithoutRedis())('heartbeats in Redis', () => {
  let server: RedisServer;
  let client: RedisClient;
  beforeAll(async () => {
    server = await RedisServer.start();
    client = createRedisClient(server.url, { connectTimeoutMs: 1_000, connectionName: 'hb', failFast: true });
    await probeRedis(client, server.url, 2_000);
  });
  afterAll(async () => {
    client.disconnect();
    await server.stop();
  });

  it('lists the live instances, sees one go silent, and forgets one that leaves', async () => {
    const keys = clusterKeys('hb', (id) => id);
    const a = new Heartbeat(client, keys, { id: 'a', host: 'host-a', pid: 11, startedAt: 1 }, { heartbeatMs: 200 });
    const b = new Heartbeat(client, keys, { id: 'b', host: 'host-b', pid: 22, startedAt: 2 }, { heartbeatMs: 200 });
    const watcher = new Heartbeat(client, keys, { id: 'check', host: 'x', pid: 0, startedAt: 0 }, { heartbeatMs: 200 });
    await a.start();
    await b.start();
    const both = await watcher.list();
    expect(both.map((i) => [i.id, i.host, i.pid, i.alive])).toEqual([
      ['a', 'host-a', 11, true],
      ['b', 'host-b', 22, true],
    ]);
    // b stops cleanly: it leaves the registry at once.
    await b.stop();
    await a.beat();
    expect((await watcher.list()).map((i) => i.id)).toEqual(['a']);
    // A silent instance (beat once, then nothing) turns from alive to gone after 3 heartbeats.
    const c = new Heartbeat(client, keys, { id: 'c', host: 'host-c', pid: 33, startedAt: 3 }, { heartbeatMs: 200 });
    await c.beat();
    await waitFor(async () => (await watcher.list()).find((i) => i.id === 'c')?.alive === false, { timeoutMs: 5_000, what: 'c counted gone' });
    const last = await watcher.list();
    expect(last.find((i) => i.id === 'a')?.alive).toBe(true);
    expect(a.lastKnown().length).toBeGreaterThan(0);
    await a.stop();
  });
});
