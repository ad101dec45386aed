import { describe, expect, it } from 'vitest';
import { bottleneckErrorFor, maxCallsPerWindow, parsePauseMessage, pauseMessage, sharedMinTimeMs } from '../../../src/cluster/budget.js';
import { holderInstance, parseClaimReply, renewEveryMs } from '../../../src/cluster/claims.js';
import { classifyRedisError, ClusterRedisError, toClusterError } from '../../../src/cluster/connect.js';
import { channelsOnClient, instancesFromReply } from '../../../src/cluster/heartbeat.js';
import { clusterKeys } from '../../../src/cluster/keys.js';

function replyError(message: string): Error {
  return Object.assign(new Error(message), { name: 'ReplyError' });
}

describe('parseClaimReply', () => {
  it.each<[string, unknown, unknown]>([
    ['claimed', ['claimed', 'a/1'], { kind: 'claimed', token: 'a/1' }],
    ['done', ['done', 'b'], { kind: 'done', by: 'b' }],
    ['done without a name', ['done', null], { kind: 'done', by: '' }],
    ['held with ttl', ['held', 'c/2', 1500], { kind: 'held', by: 'c/2', ttlMs: 1500 }],
    ['held with no ttl left', ['held', 'c/2', -2], { kind: 'held', by: 'c/2', ttlMs: 0 }],
  ])('%s', (_name, reply, expected) => {
    expect(parseClaimReply(reply)).toEqual(expected);
  });

  it.each<[string, unknown]>([
    ['a number', 1],
    ['an unknown word', ['maybe', 'x']],
    ['a claim without token', ['claimed']],
    ['nothing', null],
  ])('refuses %s: an unexpected reply is never a claim', (_name, reply) => {
    expect(() => parseClaimReply(reply)).toThrow(/unexpected claim reply/);
  });
});

describe('lease timing and holders', () => {
  it.each([
    [30_000, 10_000],
    [1_000, 333],
    [2, 1],
  ])('a lease of %i ms is renewed every %i ms', (lease, every) => {
    expect(renewEveryMs(lease)).toBe(every);
  });

  it.each([
    ['host-1:123:abc/9f1c', 'host-1:123:abc'],
    ['plain', 'plain'],
  ])('token %s belongs to %s', (token, instance) => {
    expect(holderInstance(token)).toBe(instance);
  });
});

describe('classifyRedisError', () => {
  it.each<[string, unknown, string]>([
    ['refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), 'unreachable'],
    ['unknown host', Object.assign(new Error('getaddrinfo ENOTFOUND x'), { code: 'ENOTFOUND' }), 'unreachable'],
    ['closed stream', new Error("Stream isn't writeable and enableOfflineQueue options is false"), 'unreachable'],
    ['closed connection', new Error('Connection is closed.'), 'unreachable'],
    ['wrong password', replyError('WRONGPASS invalid username-password pair or user is disabled.'), 'auth'],
    ['no password given', replyError('NOAUTH Authentication required.'), 'auth'],
    ['full', replyError("OOM command not allowed when used memory > 'maxmemory'."), 'full'],
    ['replica after failover', replyError("READONLY You can't write against a read only replica."), 'read-only'],
    ['loading', replyError('LOADING Redis is loading the dataset in memory'), 'loading'],
    ['command timeout', new Error('Command timed out'), 'timeout'],
    ['anything else', new Error('ERR something'), 'other'],
    ['not an error', 'text', 'other'],
  ])('%s -> %s', (_name, err, fault) => {
    expect(classifyRedisError(err)).toBe(fault);
  });

  it('keeps only the code word of the cause in the message', () => {
    const err = toClusterError(replyError('WRONGPASS invalid username-password pair for secret-user'), 'claim');
    expect(err).toBeInstanceOf(ClusterRedisError);
    expect(err.code).toBe('cluster.redis');
    expect(err.message).toBe('claim: Redis auth (WRONGPASS)');
    expect(err.cause).toBeInstanceOf(Error);
  });
});

describe('clusterKeys', () => {
  it('puts the keys of one conversation in one hash slot, prefixed by the cluster', () => {
    const keys = clusterKeys('eu', (id) => `h(${id})`);
    expect(keys.claim('c1')).toBe('genesys-enricher:eu:{c1}:claim');
    expect(keys.done('c1')).toBe('genesys-enricher:eu:{c1}:done');
    expect(keys.instances).toBe('genesys-enricher:eu:{instances}:seen');
    expect(keys.instanceInfo).toBe('genesys-enricher:eu:{instances}:info');
    expect(keys.budget('client')).toBe('genesys-enricher:eu:budget:h(client)');
  });
});

describe('instancesFromReply', () => {
  const facts = (host: string, pid: number) => JSON.stringify({ host, pid, startedAt: 5 });
  it('marks instances unseen for longer than goneAfterMs as gone, alive ones first', () => {
    const reply = [10_000, ['b', '9000', 'a', '3000', 'c', '4000'], ['a', facts('h1', 1), 'b', facts('h2', 2), 'c', 'not json']];
    const { now, instances } = instancesFromReply(reply, 6_000);
    expect(now).toBe(10_000);
    expect(instances).toEqual([
      { id: 'b', host: 'h2', pid: 2, startedAt: 5, lastSeen: 9000, alive: true },
      { id: 'c', host: '?', pid: 0, startedAt: 0, lastSeen: 4000, alive: true },
      { id: 'a', host: 'h1', pid: 1, startedAt: 5, lastSeen: 3000, alive: false },
    ]);
  });

  it.each<[string, unknown]>([
    ['a number', 3],
    ['a short list', [1, []]],
    ['a time that is not a number', ['x', [], []]],
  ])('refuses %s', (_name, reply) => {
    expect(() => instancesFromReply(reply, 1)).toThrow(/unexpected heartbeat reply/);
  });
});

describe('shared budget spacing', () => {
  it.each([
    [300, 60_000, 205],
    [20, 1_000, 56],
    [2, 60_000, 60_001],
    [1, 60_000, 60_001],
  ])('%i calls per %i ms: at least %i ms apart across the cluster', (budget, windowMs, minTime) => {
    expect(sharedMinTimeMs(budget, windowMs)).toBe(minTime);
  });

  it('never lets a sliding window hold more than the budget', () => {
    for (const windowMs of [1_000, 60_000]) {
      for (let budget = 1; budget <= 10_000; budget += budget < 50 ? 1 : 97) {
        expect(maxCallsPerWindow(sharedMinTimeMs(budget, windowMs), windowMs), `${budget}/${windowMs}`).toBeLessThanOrEqual(budget);
      }
    }
  });
});

describe('pause messages', () => {
  it('round-trips and rounds up', () => {
    expect(parsePauseMessage(pauseMessage('host:1', 'writes', 1200.4))).toEqual({ from: 'host:1', family: 'writes', ms: 1201 });
  });
  it.each(['capacity:3', 'pause ', 'pause a writes', 'pause a writes -5', 'pause a writes x', 'pause  writes 5'])('ignores %j', (m) => {
    expect(parsePauseMessage(m)).toBeUndefined();
  });
});

describe('bottleneckErrorFor', () => {
  it.each([
    ['ERR SETTINGS_KEY_NOT_FOUND', 'SETTINGS_KEY_NOT_FOUND'],
    ['ERR UNKNOWN_CLIENT', 'UNKNOWN_CLIENT'],
    ['ERR something else', 'ERR something else'],
    ['SETTINGS_KEY_NOT_FOUND', 'SETTINGS_KEY_NOT_FOUND'],
  ])('%s reaches Bottleneck as %s', (message, expected) => {
    expect((bottleneckErrorFor(new Error(message)) as Error).message).toBe(expected);
  });
});

describe('channelsOnClient', () => {
  const view = (id: string, alive: boolean, client: string | undefined, channels: number | undefined) => ({
    id, host: 'h', pid: 1, startedAt: 0, lastSeen: 0, alive, ...(client !== undefined && { client }), ...(channels !== undefined && { channels }),
  });
  it('adds up the live instances on the same client only', () => {
    const instances = [view('a', true, 'c1', 3), view('b', true, 'c1', 4), view('c', false, 'c1', 5), view('d', true, 'c2', 6), view('e', true, 'c1', undefined)];
    expect(channelsOnClient(instances, 'c1')).toBe(7);
    expect(channelsOnClient(instances, 'c2')).toBe(6);
    expect(channelsOnClient([], 'c1')).toBe(0);
  });
});
