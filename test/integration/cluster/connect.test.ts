import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisClient, probeRedis } from '../../../src/cluster/connect.js';
import { describeFailure } from '../../../src/cli/exit.js';
import { RedisServer, skipWithoutRedis } from '../../helpers/redis-server.js';

const OPTS = { connectTimeoutMs: 1_000, connectionName: 'test', failFast: true } as const;

describe.skipIf(skipWithoutRedis())('start-up probe of cluster.redis', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await RedisServer.start(['--requirepass', 'right-Pass-123']);
  });
  afterAll(async () => {
    await server.stop();
  });

  it('connects with the right password', async () => {
    const url = `redis://:right-Pass-123@127.0.0.1:${server.port}`;
    const client = createRedisClient(url, OPTS);
    await probeRedis(client, url, 2_000);
    expect(await client.ping()).toBe('PONG');
    client.disconnect();
  });

  it('exits 2 naming the key on a wrong password, without quoting it', async () => {
    const url = `redis://:wrong-Pass-456@127.0.0.1:${server.port}`;
    const err = await probeRedis(createRedisClient(url, OPTS), url, 2_000).then(() => undefined, (e: unknown) => e);
    const failure = describeFailure(err);
    expect(failure.code).toBe(2);
    expect(failure.message).toMatch(/^config: cluster\.redis: Redis refused the credentials/);
    expect(failure.message).not.toContain('wrong-Pass-456');
  });

  it('exits 2 naming the key when nothing listens there', async () => {
    const closed = await RedisServer.start();
    await closed.stop();
    const url = `redis://:some-Pass@127.0.0.1:${closed.port}`;
    const started = Date.now();
    const err = await probeRedis(createRedisClient(url, OPTS), url, 1_000).then(() => undefined, (e: unknown) => e);
    const failure = describeFailure(err);
    expect(failure.code).toBe(2);
    expect(failure.message).toMatch(/^config: cluster\.redis: Redis at redis:\/\/127\.0\.0\.1:\d+ cannot be reached within 1000 ms \(.*ECONNREFUSED\)/);
    expect(failure.message).not.toContain('some-Pass');
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
