/**
 * Each instance's heartbeat in Redis (id, host, pid, start time, last seen) and the list of the
 * cluster's instances for `check` and `/readyz`. "Last seen" is Redis's clock (TIME inside the
 * script), so hosts whose clocks disagree still agree on who is alive.
 */
import type { ClusterKeys } from './keys.js';
import { toClusterError, type RedisClient } from './connect.js';

/** What an instance says about itself. */
export interface InstanceFacts {
  readonly id: string;
  readonly host: string;
  readonly pid: number;
  /** Epoch ms of its start (its own clock: informative only). */
  readonly startedAt: number;
  /** Digest of its OAuth client id (instances on one client share the channel cap). */
  readonly client?: string;
  /** Notification channels it holds, as of its last heartbeat. */
  readonly channels?: number;
}

/** An instance as the registry knows it. */
export interface InstanceView extends InstanceFacts {
  /** Redis time (epoch ms) of its last heartbeat. */
  readonly lastSeen: number;
  /** Seen within the last `goneAfterMs`. */
  readonly alive: boolean;
}

// KEYS: seen (zset), info (hash). ARGV: id, facts JSON (or '' to only read), forgetAfterMs.
// Writes our heartbeat with Redis's time, forgets instances silent for long, returns time + all.
const BEAT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if ARGV[2] ~= '' then
  redis.call('ZADD', KEYS[1], now, ARGV[1])
  redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
end
local old = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[3]))
for _, id in ipairs(old) do
  redis.call('ZREM', KEYS[1], id)
  redis.call('HDEL', KEYS[2], id)
end
return {now, redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES'), redis.call('HGETALL', KEYS[2])}
`;

// KEYS: seen, info. ARGV: id.
const LEAVE = `
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
return 1
`;

/** How many heartbeats an instance may miss before it counts as gone. */
export const MISSED_BEATS = 3;
/** Instances silent this many heartbeats are dropped from the registry. */
const FORGET_BEATS = 100;

function factsOf(json: string | undefined): Omit<InstanceFacts, 'id'> {
  try {
    const raw = JSON.parse(json ?? '{}') as Partial<InstanceFacts>;
    return {
      host: typeof raw.host === 'string' ? raw.host : '?',
      pid: typeof raw.pid === 'number' ? raw.pid : 0,
      startedAt: typeof raw.startedAt === 'number' ? raw.startedAt : 0,
      ...(typeof raw.client === 'string' && { client: raw.client }),
      ...(typeof raw.channels === 'number' && { channels: raw.channels }),
    };
  } catch {
    return { host: '?', pid: 0, startedAt: 0 };
  }
}

/**
 * Reads the heartbeat script's reply into the instance list, alive ones first (then by id).
 * Pure: `now` and every `lastSeen` are Redis times.
 */
export function instancesFromReply(reply: unknown, goneAfterMs: number): { now: number; instances: InstanceView[] } {
  if (!Array.isArray(reply) || reply.length !== 3) throw new TypeError('unexpected heartbeat reply');
  const [now, seen, info] = reply as [unknown, unknown, unknown];
  if (typeof now !== 'number' || !Array.isArray(seen) || !Array.isArray(info)) throw new TypeError('unexpected heartbeat reply');
  const facts = new Map<string, string>();
  for (let i = 0; i + 1 < info.length; i += 2) facts.set(String(info[i]), String(info[i + 1]));
  const instances: InstanceView[] = [];
  for (let i = 0; i + 1 < seen.length; i += 2) {
    const id = String(seen[i]);
    const lastSeen = Number(seen[i + 1]);
    instances.push({ id, ...factsOf(facts.get(id)), lastSeen, alive: now - lastSeen <= goneAfterMs });
  }
  instances.sort((a, b) => Number(b.alive) - Number(a.alive) || a.id.localeCompare(b.id));
  return { now, instances };
}

export interface HeartbeatOptions {
  readonly heartbeatMs: number;
}

/** Beats every `heartbeatMs` while started; lists the cluster's instances. */
export class Heartbeat {
  private timer: NodeJS.Timeout | undefined;
  private last: InstanceView[] = [];

  constructor(
    private readonly client: RedisClient,
    private readonly keys: ClusterKeys,
    private readonly self: InstanceFacts,
    private readonly opts: HeartbeatOptions,
    /** The channel count at each beat (absent: not reported). */
    private readonly channels?: () => number,
  ) {}

  /** An instance unseen this long counts as gone. */
  get goneAfterMs(): number {
    return MISSED_BEATS * this.opts.heartbeatMs;
  }

  /** Beats once now (throws ClusterRedisError when Redis fails), then every `heartbeatMs`. */
  async start(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => {
      this.beat().catch(() => undefined);
    }, this.opts.heartbeatMs);
    this.timer.unref();
  }

  /** Writes this instance's heartbeat and returns the instance list. */
  async beat(): Promise<InstanceView[]> {
    const channels = this.channels?.();
    return this.run(
      JSON.stringify({
        host: this.self.host,
        pid: this.self.pid,
        startedAt: this.self.startedAt,
        ...(this.self.client !== undefined && { client: this.self.client }),
        ...(channels !== undefined && { channels }),
      }),
    );
  }

  /** The instance list without beating (for `check`, which is not an instance). */
  async list(): Promise<InstanceView[]> {
    return this.run('');
  }

  /** The list as of the last successful heartbeat (for `/readyz` without a round trip). */
  lastKnown(): readonly InstanceView[] {
    return this.last;
  }

  /** Stops beating and leaves the registry (best effort: otherwise it ages out). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.client.eval(LEAVE, 2, this.keys.instances, this.keys.instanceInfo, this.self.id).catch(() => undefined);
  }

  private async run(facts: string): Promise<InstanceView[]> {
    let reply: unknown;
    try {
      reply = await this.client.eval(BEAT, 2, this.keys.instances, this.keys.instanceInfo, this.self.id, facts, FORGET_BEATS * this.opts.heartbeatMs);
    } catch (err) {
      throw toClusterError(err, 'heartbeat');
    }
    this.last = instancesFromReply(reply, this.goneAfterMs).instances;
    return this.last;
  }
}

/** Channels held by the live instances that share the OAuth client `client` (pure). */
export function channelsOnClient(instances: readonly InstanceView[], client: string): number {
  return instances.filter((i) => i.alive && i.client === client).reduce((sum, i) => sum + (i.channels ?? 0), 0);
}
