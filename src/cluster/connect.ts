/**
 * Redis connections for cluster mode: one client per target kind (URL, Sentinel, Cluster), the
 * start-up probe (a wrong address or password ends the start naming `cluster.redis`), and a pure
 * classification of Redis errors into the few cases the daemon acts on. Errors never carry the
 * URL or a password: only the error's code word.
 */
import { Cluster, Redis, type ClusterOptions as IORedisClusterOptions, type RedisOptions } from 'ioredis';
import { ResolveError } from '../daemon/resolve.js';
import { EnricherError } from '../errors.js';
import { describeRedisTarget, type RedisTarget } from './options.js';

/** The client type used everywhere in src/cluster. */
export type RedisClient = Redis | Cluster;

/** What a Redis error means to the daemon. */
export type RedisFault = 'auth' | 'unreachable' | 'full' | 'read-only' | 'loading' | 'timeout' | 'other';

/** A Redis operation failed (code `cluster.redis`); `fault` says why, never quoting values. */
export class ClusterRedisError extends EnricherError {
  constructor(
    readonly fault: RedisFault,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('cluster.redis', message, options);
  }
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ETIMEDOUT']);

/** Classifies an error from ioredis (or a socket) by its code or reply prefix. */
export function classifyRedisError(err: unknown): RedisFault {
  if (err instanceof ClusterRedisError) return err.fault;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return 'unreachable';
  const message = err instanceof Error ? err.message : '';
  if (/^(WRONGPASS|NOAUTH|NOPERM)\b/.test(message) || /^ERR AUTH\b/.test(message) || /invalid password/i.test(message)) return 'auth';
  if (/^OOM\b/.test(message)) return 'full';
  if (/^READONLY\b/.test(message)) return 'read-only';
  if (/^LOADING\b/.test(message)) return 'loading';
  if (/timed? ?out/i.test(message)) return 'timeout';
  if (/Connection is closed|Stream isn't writeable|connect E|Reached the max retries|ClusterAllFailedError|None of startup nodes/i.test(message)) return 'unreachable';
  return 'other';
}

/** Wraps any Redis failure into a {@link ClusterRedisError} with a log-safe message. */
export function toClusterError(err: unknown, what: string): ClusterRedisError {
  if (err instanceof ClusterRedisError) return err;
  const fault = classifyRedisError(err);
  const code = (err as { code?: unknown } | null)?.code;
  const word = typeof code === 'string' ? code : err instanceof Error ? (/^[A-Z]{3,}\b/.exec(err.message)?.[0] ?? fault) : fault;
  return new ClusterRedisError(fault, `${what}: Redis ${fault} (${word})`, { cause: err });
}

/** Reconnects forever, at growing intervals up to 1 s: an outage ends as soon as Redis is back. */
function retryStrategy(times: number): number {
  return Math.min(50 * times, 1_000);
}

export interface ClientOptions {
  readonly connectTimeoutMs: number;
  /** Shown by `CLIENT LIST` on the server. */
  readonly connectionName: string;
  /**
   * Commands sent while disconnected fail at once (true, for claims: the caller decides) or wait
   * for the connection (false, for Bottleneck, which expects its commands to get through).
   */
  readonly failFast: boolean;
  /** Connect only when first used (default true); Bottleneck needs a client that connects by itself. */
  readonly lazy?: boolean;
}

/** A new client for the target; it connects in the background (see {@link probeRedis}). */
export function createRedisClient(target: RedisTarget, opts: ClientOptions): RedisClient {
  const common: RedisOptions = {
    connectTimeout: opts.connectTimeoutMs,
    connectionName: opts.connectionName,
    retryStrategy,
    enableOfflineQueue: !opts.failFast,
    maxRetriesPerRequest: opts.failFast ? 0 : null,
    ...(opts.failFast && { commandTimeout: opts.connectTimeoutMs }),
    lazyConnect: opts.lazy ?? true,
  };
  if (typeof target === 'string') return new Redis(target, common);
  if ('sentinels' in target) {
    return new Redis({
      ...common,
      sentinels: target.sentinels.map((n) => ({ host: n.host, port: n.port })),
      name: target.name,
      db: target.db,
      ...(target.username !== undefined && { username: target.username }),
      ...(target.password !== undefined && { password: target.password }),
      ...(target.sentinelPassword !== undefined && { sentinelPassword: target.sentinelPassword }),
      ...(target.tls && { tls: {}, enableTLSForSentinelMode: true }),
    });
  }
  const clusterOptions: IORedisClusterOptions = {
    lazyConnect: opts.lazy ?? true,
    enableOfflineQueue: !opts.failFast,
    clusterRetryStrategy: retryStrategy,
    redisOptions: {
      connectTimeout: opts.connectTimeoutMs,
      connectionName: opts.connectionName,
      maxRetriesPerRequest: opts.failFast ? 0 : null,
      ...(target.username !== undefined && { username: target.username }),
      ...(target.password !== undefined && { password: target.password }),
      ...(target.tls && { tls: {} }),
    },
  };
  return new Cluster(target.nodes.map((n) => ({ host: n.host, port: n.port })), clusterOptions);
}

/**
 * Connects and pings within `timeoutMs`. A wrong address or password throws a config error
 * naming `cluster.redis` (the CLI exits 2); the client is disconnected then.
 */
export async function probeRedis(client: RedisClient, target: RedisTarget, timeoutMs: number): Promise<void> {
  let lastError: unknown;
  const onError = (err: unknown): void => {
    lastError = err;
  };
  client.on('error', onError);
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        reject(lastError instanceof Error ? lastError : new ClusterRedisError('timeout', 'timed out'));
      }, timeoutMs);
    });
    const ready = (async () => {
      if (client.status === 'wait') await client.connect();
      await client.ping();
    })();
    ready.catch(() => undefined);
    await Promise.race([ready, timeout]);
  } catch (err) {
    client.disconnect();
    const fault = classifyRedisError(lastError ?? err);
    const why =
      fault === 'auth'
        ? 'Redis refused the credentials (check the user name and password)'
        : `Redis at ${describeRedisTarget(target)} cannot be reached within ${timeoutMs} ms (${toClusterError(lastError ?? err, 'probe').message.replace(/^probe: /, '')})`;
    throw new ResolveError(why, 'cluster.redis');
  } finally {
    clearTimeout(timer);
    client.off('error', onError);
  }
}
