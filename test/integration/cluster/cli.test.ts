/**
 * Cluster mode at the command line (built CLI): a Redis that cannot be reached or refuses the
 * password ends `run` with exit 2 naming cluster.redis, without printing the password; `check`
 * lists the instances of the cluster.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Heartbeat } from '../../../src/cluster/heartbeat.js';
import { clusterKeys } from '../../../src/cluster/keys.js';
import { createRedisClient, probeRedis } from '../../../src/cluster/connect.js';
import { checkCluster, describeInstances } from '../../../src/cli/operator/check-cluster.js';
import { parseConfig } from '../../../src/config/index.js';
import { runCli } from '../../helpers/cli-process.js';
import { RedisServer, skipWithoutRedis } from '../../helpers/redis-server.js';

const PASSWORD = 'cluster-Pass-8472';

function configText(redisUrl: string, dir: string): string {
  return [
    'genesys:',
    '  gatewayUrl: http://127.0.0.1:9',
    '  clientId: cli-test',
    '  clientSecret: ${GENESYS_CLIENT_SECRET}',
    'queues: [{ name: Support }]',
    'flow: { id: 0f3b1c2d-4e5f-4a6b-8c7d-9e0f1a2b3c4d }',
    "crm: { url: 'http://127.0.0.1:9/customers?phone={phone}' }",
    "attributes: { map: { 'Flow.accountId': /account/id } }",
    `audit: { file: ${join(dir, 'audit.jsonl')} }`,
    'http: { listen: off }',
    'cluster:',
    '  name: cli-test',
    `  redis: ${redisUrl}`,
    '  connectTimeoutMs: 1000',
    '',
  ].join('\n');
}

describe.skipIf(skipWithoutRedis())('cluster mode at the command line', () => {
  let server: RedisServer;
  let dir: string;
  beforeAll(async () => {
    server = await RedisServer.start(['--requirepass', PASSWORD]);
    dir = mkdtempSync(join(tmpdir(), 'cluster-cli-'));
  });
  afterAll(async () => {
    await server.stop();
  });

  it.each([
    ['a wrong password', () => `redis://:\${REDIS_PASSWORD}@127.0.0.1:${server.port}`, 'wrong-Pass-1', /config: cluster\.redis: Redis refused the credentials/],
    ['nothing listening', () => 'redis://:${REDIS_PASSWORD}@127.0.0.1:9', PASSWORD, /config: cluster\.redis: Redis at redis:\/\/127\.0\.0\.1:9 cannot be reached/],
  ])('run exits 2 naming cluster.redis on %s', async (_name, url, password, message) => {
    const file = join(dir, `bad-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(file, configText(url(), dir));
    const { code, stdout, stderr } = await runCli(['run', '--config', file], { GENESYS_CLIENT_SECRET: 'x', REDIS_PASSWORD: password });
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stdout + stderr).not.toContain(password);
  });

  it('check lists the live instances', async () => {
    const url = `redis://:${PASSWORD}@127.0.0.1:${server.port}`;
    const config = parseConfig({
      genesys: { gatewayUrl: 'http://127.0.0.1:9', clientId: 'c', clientSecret: 's' },
      queues: [{ name: 'Support' }],
      flow: { id: '0f3b1c2d-4e5f-4a6b-8c7d-9e0f1a2b3c4d' },
      crm: { url: 'http://127.0.0.1:9/customers?phone={phone}' },
      attributes: { map: { 'Flow.accountId': '/account/id' } },
      cluster: { name: 'check-test', redis: url },
    }, { file: 'x.yaml', env: {} });
    const client = createRedisClient(url, { connectTimeoutMs: 1_000, connectionName: 'x', failFast: true });
    await probeRedis(client, url, 2_000);
    const beat = new Heartbeat(client, clusterKeys('check-test', () => 'unused'), { id: 'host-a:42:abc', host: 'host-a', pid: 42, startedAt: 0 }, { heartbeatMs: 2_000 });
    await beat.beat();
    try {
      const lines = await checkCluster({ config } as never);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({ check: 'cluster', status: 'ok', message: `Redis reachable at redis://127.0.0.1:${server.port}; 1 instance alive` });
      expect(lines[0]!.details).toEqual(['alive host-a:42:abc (host host-a, pid 42, started 1970-01-01T00:00:00.000Z)']);
      expect(JSON.stringify(lines)).not.toContain(PASSWORD);
    } finally {
      await beat.stop();
      client.disconnect();
    }
  });

  it('check has no cluster line without a cluster section, and describes an empty cluster', async () => {
    expect(await checkCluster({ config: { cluster: undefined } } as never)).toEqual([]);
    expect(describeInstances('redis://h:1', []).message).toBe('Redis reachable at redis://h:1; no instance running yet');
  });
});
