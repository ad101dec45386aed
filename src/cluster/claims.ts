/**
 * Claims and the done-set in Redis: before working on a conversation an instance claims it (an
 * atomic script: refused when it is done or held by someone else), renews the lease while it
 * works, records it as done afterwards (kept for the retention, at least a day) and releases the
 * claim when it gives up. Only the holder writes.
 *
 * Clock skew: leases are `PX` lengths kept by the Redis server's own clock; no instance ever
 * compares its wall clock with another's or with Redis's. An instance only needs its own timer to
 * renew well within the lease (every third of it), which tolerates pauses of up to two thirds.
 */
import type { ClusterKeys } from './keys.js';
import { toClusterError, type RedisClient } from './connect.js';

/** What a claim attempt found. */
export type ClaimOutcome =
  | { readonly kind: 'claimed'; readonly token: string }
  | { readonly kind: 'done'; readonly by: string }
  | { readonly kind: 'held'; readonly by: string; readonly ttlMs: number };

// KEYS: claim, done. ARGV: token, leaseMs. Re-claiming with one's own token renews.
const CLAIM = `
if redis.call('EXISTS', KEYS[2]) == 1 then return {'done', redis.call('GET', KEYS[2])} end
local holder = redis.call('GET', KEYS[1])
if not holder then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return {'claimed', ARGV[1]}
end
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return {'claimed', holder}
end
return {'held', holder, redis.call('PTTL', KEYS[1])}
`;

// KEYS: claim. ARGV: token, leaseMs. 1: renewed; 0: the claim is gone or someone else's.
const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`;

// KEYS: claim, done. ARGV: token, by, retentionMs. The decision is recorded even if the lease ran
// out meanwhile (it was made); the claim is dropped only when it is still ours. 1: it was ours.
const DONE = `
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) return 1 end
return 0
`;

// KEYS: claim. ARGV: token.
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/** Reads the claim script's reply; anything unexpected is an error, never a claim. */
export function parseClaimReply(reply: unknown): ClaimOutcome {
  if (!Array.isArray(reply)) throw new TypeError('unexpected claim reply');
  const [kind, who, ttl] = reply as unknown[];
  if (kind === 'claimed' && typeof who === 'string') return { kind: 'claimed', token: who };
  if (kind === 'done') return { kind: 'done', by: typeof who === 'string' ? who : '' };
  if (kind === 'held' && typeof who === 'string') return { kind: 'held', by: who, ttlMs: typeof ttl === 'number' && ttl > 0 ? ttl : 0 };
  throw new TypeError('unexpected claim reply');
}

/** How often a holder renews its lease: a third of it, so two renewals may fail or be late. */
export function renewEveryMs(leaseMs: number): number {
  return Math.max(1, Math.floor(leaseMs / 3));
}

/** The instance part of a holder token (`<instanceId>/<random>`). */
export function holderInstance(token: string): string {
  const slash = token.lastIndexOf('/');
  return slash < 0 ? token : token.slice(0, slash);
}

export interface RedisClaimsOptions {
  readonly instanceId: string;
  readonly leaseMs: number;
  readonly doneRetentionMs: number;
}

/** Claims and done-set over one Redis client. Every method throws ClusterRedisError when Redis fails. */
export class RedisClaims {
  constructor(
    private readonly client: RedisClient,
    private readonly keys: ClusterKeys,
    private readonly opts: RedisClaimsOptions,
    private readonly newToken: () => string,
  ) {}

  /** A fresh holder token of this instance. */
  token(): string {
    return `${this.opts.instanceId}/${this.newToken()}`;
  }

  /** Tries to take the conversation (with `token`, a claim already held under it is renewed). */
  async claim(conversationId: string, token: string = this.token()): Promise<ClaimOutcome> {
    const reply = await this.run('claim', CLAIM, [this.keys.claim(conversationId), this.keys.done(conversationId)], [token, this.opts.leaseMs]);
    return parseClaimReply(reply);
  }

  /** Extends the lease; false when the claim is no longer ours (expired, taken over). */
  async renew(conversationId: string, token: string): Promise<boolean> {
    return (await this.run('renew', RENEW, [this.keys.claim(conversationId)], [token, this.opts.leaseMs])) === 1;
  }

  /** Records the decision for good; returns whether the claim was still ours. */
  async done(conversationId: string, token: string): Promise<boolean> {
    const reply = await this.run('done', DONE, [this.keys.claim(conversationId), this.keys.done(conversationId)], [token, this.opts.instanceId, this.opts.doneRetentionMs]);
    return reply === 1;
  }

  /** Gives the claim up (the work was not done); a no-op when it is not ours. */
  async release(conversationId: string, token: string): Promise<void> {
    await this.run('release', RELEASE, [this.keys.claim(conversationId)], [token]);
  }

  /** Which of the conversations any instance has recorded as done (one round trip). */
  async doneAmong(conversationIds: readonly string[]): Promise<Set<string>> {
    if (conversationIds.length === 0) return new Set();
    const pipeline = this.client.pipeline();
    for (const id of conversationIds) pipeline.exists(this.keys.done(id));
    let results: [Error | null, unknown][] | null;
    try {
      results = await pipeline.exec();
    } catch (err) {
      throw toClusterError(err, 'done lookup');
    }
    const done = new Set<string>();
    for (const [i, id] of conversationIds.entries()) {
      const [error, value] = results?.[i] ?? [new Error('no reply'), 0];
      if (error) throw toClusterError(error, 'done lookup');
      if (value === 1) done.add(id);
    }
    return done;
  }

  private async run(what: string, script: string, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    try {
      return await this.client.eval(script, keys.length, ...keys, ...args);
    } catch (err) {
      throw toClusterError(err, what);
    }
  }
}
