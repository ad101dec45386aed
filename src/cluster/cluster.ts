/**
 * Cluster mode put together for the daemon: one Redis connection for claims and heartbeats
 * (probed at start: a wrong address or password ends the start naming `cluster.redis`), the
 * claim coordinator, the heartbeat, and the shared budget of the OAuth client.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from '../log.js';
import { SharedBudget } from './budget.js';
import { RedisClaims } from './claims.js';
import { createRedisClient, probeRedis, type RedisClient, type RedisFault } from './connect.js';
import { ClusterCoordinator } from './coordinator.js';
import { channelsOnClient, Heartbeat, type InstanceView } from './heartbeat.js';
import { clusterKeys } from './keys.js';
import { describeRedisTarget, type ClusterOptions } from './options.js';

/** How the cluster looks from this instance (readiness, metrics, `check`). */
export interface ClusterStatus {
  readonly name: string;
  readonly instanceId: string;
  /** Redis answers claims now. */
  readonly available: boolean;
  readonly fault?: RedisFault;
  /** Since when (epoch ms) the availability holds. */
  readonly since: number;
  /** Conversations waiting for Redis before they may be claimed or written. */
  readonly waiting: number;
  /** Instances as of the last heartbeat (alive ones first). */
  readonly instances: readonly InstanceView[];
  /** Channels held by the live instances on this OAuth client, and the cap they share. */
  readonly channels: { readonly onClient: number; readonly cap: number };
}

export interface ClusterDeps {
  readonly logger: Logger;
  /** The OAuth client whose budget is shared (instances with other clients have their own). */
  readonly clientId: string;
  readonly requestsPerMinute: number;
  /** Budget window (60 s in Genesys). */
  readonly windowMs: number;
  /** Told when Redis comes back after an outage (the daemon then runs a catch-up). */
  readonly onRedisReturned?: () => void;
  /** Another instance got a 429 on `family`. */
  readonly onPeerPause?: (family: string, ms: number) => void;
  /** This instance's notification channels now (reported with each heartbeat). */
  readonly channels?: () => number;
  /** Channels one OAuth client may hold (Genesys: 20). */
  readonly channelCap?: number;
}

/** A short, log-safe digest (the OAuth client id becomes part of a Redis key). */
function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** One instance's membership in a cluster. */
export class Cluster {
  private constructor(
    readonly options: ClusterOptions,
    readonly instanceId: string,
    private readonly client: RedisClient,
    readonly coordinator: ClusterCoordinator,
    readonly heartbeat: Heartbeat,
    readonly budget: SharedBudget,
    private readonly clientDigest: string,
    private readonly channelCap: number,
  ) {}

  /** Connects (probe first), joins the registry and the shared budget. */
  static async start(options: ClusterOptions, deps: ClusterDeps): Promise<Cluster> {
    const instanceId = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
    const keys = clusterKeys(options.name, digest);
    const logger = deps.logger.child({ component: 'cluster' });
    const client = createRedisClient(options.redis, { connectTimeoutMs: options.connectTimeoutMs, connectionName: `genesys-enricher ${instanceId}`, failFast: true });
    await probeRedis(client, options.redis, options.connectTimeoutMs);
    const claims = new RedisClaims(client, keys, { instanceId, leaseMs: options.leaseMs, doneRetentionMs: options.doneRetentionMs }, randomUUID);
    let wasDown = false;
    const coordinator = new ClusterCoordinator(claims, client, { leaseMs: options.leaseMs, retryDelayMs: 500 }, {
      onAvailability: (a) => {
        if (!a.available) {
          wasDown = true;
          logger.warn('Redis unreachable: no conversation is claimed or written until it returns', { fault: a.fault, waiting: a.waiting });
        } else if (wasDown) {
          wasDown = false;
          logger.info('Redis reachable again: waiting conversations go on, a catch-up runs');
          deps.onRedisReturned?.();
        }
      },
      onLeaseLost: (conversationId) => {
        logger.warn('a claim ran out before its write; another instance holds it now', { conversationId });
      },
    });
    const clientDigest = digest(deps.clientId);
    const heartbeat = new Heartbeat(
      client,
      keys,
      { id: instanceId, host: hostname(), pid: process.pid, startedAt: Date.now(), client: clientDigest },
      { heartbeatMs: options.heartbeatMs },
      deps.channels,
    );
    const budget = new SharedBudget(
      {
        id: keys.budget(deps.clientId),
        redis: options.redis,
        requestsPerWindow: deps.requestsPerMinute,
        windowMs: deps.windowMs,
        connectTimeoutMs: options.connectTimeoutMs,
        connectionName: `genesys-enricher budget ${instanceId}`,
        instanceId,
        liveInstances: () => Math.max(1, heartbeat.lastKnown().filter((i) => i.alive).length),
      },
      {
        ...(deps.onPeerPause && { onPause: deps.onPeerPause }),
        onError: (message) => {
          logger.debug('shared budget: Redis error', { error: message });
        },
      },
    );
    const cluster = new Cluster(options, instanceId, client, coordinator, heartbeat, budget, clientDigest, deps.channelCap ?? 20);
    try {
      await heartbeat.start();
      await budget.ready(options.connectTimeoutMs);
    } catch (err) {
      await cluster.close();
      throw err;
    }
    logger.info('joined the cluster', {
      cluster: options.name,
      instanceId,
      redis: describeRedisTarget(options.redis),
      instancesAlive: heartbeat.lastKnown().filter((i) => i.alive).length,
    });
    return cluster;
  }

  /** Which of the conversations any instance has done (undefined while Redis is away). */
  doneAmong(conversationIds: readonly string[]): Promise<ReadonlySet<string> | undefined> {
    return this.coordinator.doneAmong(conversationIds);
  }

  status(): ClusterStatus {
    const a = this.coordinator.availability();
    return {
      name: this.options.name,
      instanceId: this.instanceId,
      available: a.available,
      ...(a.fault !== undefined && { fault: a.fault }),
      since: a.since,
      waiting: a.waiting,
      instances: this.heartbeat.lastKnown(),
      channels: { onClient: channelsOnClient(this.heartbeat.lastKnown(), this.clientDigest), cap: this.channelCap },
    };
  }

  /** Leaves the registry, stops waiting and renewing, disconnects. Claims left run out. */
  async close(): Promise<void> {
    this.coordinator.close();
    await this.heartbeat.stop();
    await this.budget.close();
    this.client.disconnect();
  }
}

/**
 * The instance list for `check` (which is not an instance itself): connects, probes, reads,
 * disconnects. Throws like the start does when Redis cannot be reached.
 */
export async function listClusterInstances(options: ClusterOptions): Promise<InstanceView[]> {
  const client = createRedisClient(options.redis, { connectTimeoutMs: options.connectTimeoutMs, connectionName: 'genesys-enricher check', failFast: true });
  await probeRedis(client, options.redis, options.connectTimeoutMs);
  try {
    const keys = clusterKeys(options.name, digest);
    return await new Heartbeat(client, keys, { id: 'check', host: hostname(), pid: process.pid, startedAt: Date.now() }, { heartbeatMs: options.heartbeatMs }).list();
  } finally {
    client.disconnect();
  }
}
