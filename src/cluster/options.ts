/**
 * Options of cluster mode (the config's `cluster` section), typed once, with their defaults and
 * the pure checks of a Redis address. Problem messages never quote a value: a Redis URL may hold
 * a password.
 */

/** A Redis host and port (a Sentinel or a Cluster node). */
export interface RedisNode {
  readonly host: string;
  readonly port: number;
}

/** Redis behind Sentinel: the sentinels are asked where the primary named `name` is. */
export interface RedisSentinelOptions {
  readonly sentinels: readonly RedisNode[];
  /** The monitored primary's name (Sentinel's `master name`). */
  readonly name: string;
  readonly username?: string;
  /** Password of the Redis nodes (use `${ENV}` or `${credential:NAME}`). Never log it. */
  readonly password?: string;
  /** Password of the sentinels themselves, when they have one. */
  readonly sentinelPassword?: string;
  readonly db: number;
  /** TLS to the nodes and the sentinels. */
  readonly tls: boolean;
}

/** A Redis Cluster: any reachable nodes; the client finds the rest. */
export interface RedisClusterOptions {
  readonly nodes: readonly RedisNode[];
  readonly username?: string;
  readonly password?: string;
  readonly tls: boolean;
}

/** `redis://[user:password@]host[:port][/db]`, `rediss://...` for TLS, or Sentinel / Cluster options. */
export type RedisTarget = string | RedisSentinelOptions | RedisClusterOptions;

/** The `cluster` section: several instances sharing one budget, one claim per conversation, one done-set. */
export interface ClusterOptions {
  /** Instances with the same name (and Redis) share budget, claims and done-set; a key prefix in Redis. */
  readonly name: string;
  readonly redis: RedisTarget;
  /**
   * How long a claim holds without renewal. The holder renews it every third of this while it
   * works, so only a dead or cut-off holder loses it; then another instance may take over.
   */
  readonly leaseMs: number;
  /** How long a conversation stays recorded as done (at least a day: catch-ups look back that far). */
  readonly doneRetentionMs: number;
  /** Time between two heartbeats; an instance unseen for 3 heartbeats counts as gone. */
  readonly heartbeatMs: number;
  /** How long to wait for Redis at start (a wrong address or password then exits 2) and per command. */
  readonly connectTimeoutMs: number;
}

const DAY_MS = 86_400_000;

/** Defaults of the `cluster` section's optional keys. */
export const CLUSTER_DEFAULTS = {
  leaseMs: 30_000,
  doneRetentionMs: 2 * DAY_MS,
  heartbeatMs: 2_000,
  connectTimeoutMs: 5_000,
} as const satisfies Pick<ClusterOptions, 'leaseMs' | 'doneRetentionMs' | 'heartbeatMs' | 'connectTimeoutMs'>;

/** Shortest `doneRetentionMs` accepted. */
export const MIN_DONE_RETENTION_MS = DAY_MS;

/** Characters allowed in `cluster.name` (it becomes part of Redis keys and the limiter id). */
export const CLUSTER_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Problem with a `cluster.redis` URL, or `undefined` when it is usable. */
export function checkRedisUrl(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be a redis:// or rediss:// URL (redis://[user:password@]host[:port][/db])';
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') return 'must be a redis:// or rediss:// URL (rediss:// for TLS)';
  if (url.hostname === '') return 'must name a host';
  if (url.search !== '' || url.hash !== '') return 'must not have a query or fragment';
  if (!/^(\/\d{0,2})?$/.test(url.pathname)) return 'may have only a database number as its path (e.g. /0)';
  return undefined;
}

/** True when the target's credentials were written in the config itself (not via a reference). */
export function redisHasPassword(target: RedisTarget): boolean {
  if (typeof target !== 'string') return target.password !== undefined;
  try {
    return new URL(target).password !== '';
  } catch {
    return false;
  }
}

/** A log-safe description of where Redis is: scheme, hosts and ports, never a password. */
export function describeRedisTarget(target: RedisTarget): string {
  const nodes = (list: readonly RedisNode[]): string => list.map((n) => `${n.host}:${n.port}`).join(',');
  if (typeof target !== 'string') {
    if ('sentinels' in target) return `sentinel ${nodes(target.sentinels)}${target.tls ? ' (tls)' : ''}`;
    return `cluster ${nodes(target.nodes)}${target.tls ? ' (tls)' : ''}`;
  }
  try {
    const url = new URL(target);
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return 'invalid URL';
  }
}
