import { describe, expect, it } from 'vitest';
import { checkRedisUrl, describeRedisTarget } from '../../../src/cluster/options.js';
import { describeConfig } from '../../../src/config/index.js';
import { configErrorOf, parse, rawWith } from './fixtures.js';

describe('cluster config', () => {
  it('is absent by default: one instance, no Redis', () => {
    expect(parse(rawWith({})).cluster).toBeUndefined();
  });

  it('takes a URL and fills in the defaults', () => {
    const config = parse(rawWith({ cluster: { name: 'prod-eu', redis: 'redis://:${REDIS_PASSWORD}@10.0.0.5:6379/2' } }), {
      GENESYS_CLIENT_ID: 'id',
      GENESYS_CLIENT_SECRET: 'secret',
      REDIS_PASSWORD: 'r3dis-Pass',
    });
    expect(config.cluster).toEqual({
      name: 'prod-eu',
      redis: 'redis://:r3dis-Pass@10.0.0.5:6379/2',
      leaseMs: 30_000,
      doneRetentionMs: 172_800_000,
      heartbeatMs: 2_000,
      connectTimeoutMs: 5_000,
    });
    expect(config.warnings).toBeUndefined();
  });

  it('takes Sentinel and Cluster options', () => {
    const sentinel = parse(rawWith({ cluster: { name: 'a', redis: { sentinels: [{ host: 's1', port: 26379 }], name: 'mymaster', tls: true } } }));
    expect(sentinel.cluster?.redis).toEqual({ sentinels: [{ host: 's1', port: 26379 }], name: 'mymaster', db: 0, tls: true });
    const cluster = parse(rawWith({ cluster: { name: 'a', redis: { nodes: [{ host: 'n1', port: 7000 }] } } }));
    expect(cluster.cluster?.redis).toEqual({ nodes: [{ host: 'n1', port: 7000 }], tls: false });
  });

  it('warns about a password written inline, and never shows it in the summary', () => {
    const config = parse(rawWith({ cluster: { name: 'a', redis: 'rediss://user:inline-Pass@redis.example.com:6380' } }));
    expect(config.warnings?.join('\n')).toMatch(/cluster\.redis holds a password/);
    expect(config.warnings?.join('\n')).not.toContain('inline-Pass');
    expect(JSON.stringify(describeConfig(config))).not.toContain('inline-Pass');
    expect(describeConfig(config).cluster).toMatchObject({ name: 'a', redis: 'rediss://redis.example.com:6380' });
  });

  it.each<[string, Record<string, unknown>, string, RegExp]>([
    ['a missing name', { 'cluster.redis': 'redis://h' }, 'cluster.name', /required/],
    ['a name with a colon', { cluster: { name: 'a:b', redis: 'redis://h' } }, 'cluster.name', /letters, digits/],
    ['an http URL', { cluster: { name: 'a', redis: 'http://h:6379' } }, 'cluster.redis', /redis:\/\/ or rediss:\/\//],
    ['a URL with a query', { cluster: { name: 'a', redis: 'redis://h?password=x' } }, 'cluster.redis', /query/],
    ['a URL with a path', { cluster: { name: 'a', redis: 'redis://h/x/y' } }, 'cluster.redis', /database number/],
    ['no sentinels', { cluster: { name: 'a', redis: { sentinels: [], name: 'm' } } }, 'cluster.redis.sentinels', /at least one node/],
    ['a node without port', { cluster: { name: 'a', redis: { nodes: [{ host: 'n' }] } } }, 'cluster.redis.nodes[0].port', /required/],
    ['a lease under a second', { cluster: { name: 'a', redis: 'redis://h', leaseMs: 10 } }, 'cluster.leaseMs', /1000 to/],
    ['a retention under a day', { cluster: { name: 'a', redis: 'redis://h', doneRetentionMs: 3_600_000 } }, 'cluster.doneRetentionMs', /86400000/],
    ['an unknown key', { cluster: { name: 'a', redis: 'redis://h', leaseMS: 5000 } }, 'cluster.leaseMS', /did you mean "leaseMs"/],
  ])('refuses %s, naming the key', (_name, edits, path, message) => {
    const err = configErrorOf(() => parse(rawWith(edits)));
    const problem = err.problems.find((p) => p.path === path);
    expect(problem, JSON.stringify(err.problems)).toBeDefined();
    expect(problem?.message).toMatch(message);
  });

  it('never quotes a bad URL in the message', () => {
    const err = configErrorOf(() => parse(rawWith({ cluster: { name: 'a', redis: 'http://u:Secret-Pw@h' } })));
    expect(err.message).not.toContain('Secret-Pw');
  });
});

describe('checkRedisUrl / describeRedisTarget', () => {
  it.each<[string, boolean]>([
    ['redis://127.0.0.1:6379', true],
    ['rediss://user:pw@redis.example.com:6380/3', true],
    ['redis://h/', true],
    ['redis://', false],
    ['tcp://h:6379', false],
    ['not a url', false],
  ])('%s usable: %s', (url, ok) => {
    expect(checkRedisUrl(url) === undefined).toBe(ok);
  });

  it('describes every target without its password', () => {
    expect(describeRedisTarget('redis://:pw@h:1/0')).toBe('redis://h:1/0');
    expect(describeRedisTarget({ sentinels: [{ host: 's', port: 1 }], name: 'm', password: 'pw', db: 0, tls: false })).toBe('sentinel s:1');
    expect(describeRedisTarget({ nodes: [{ host: 'n', port: 2 }], password: 'pw', tls: true })).toBe('cluster n:2 (tls)');
  });
});
