/**
 * The API budget shared by every instance of a cluster that uses one OAuth client: a Bottleneck
 * limiter in Redis (`datastore: 'ioredis'`, the same id on every instance). Bottleneck's scripts
 * keep `minTime` cluster-wide with Redis's clock, so the calls of all instances together leave at
 * most one per `minTime`: no sliding window of `windowMs` ever holds more than the budget (less the
 * headroom). Each instance's waiting calls stay ordered by priority (live writes before catch-up
 * work). A 429 on one instance is published to all of them, so every instance pauses.
 */
import Bottleneck from 'bottleneck';
import { BUDGET_HEADROOM } from '../genesys/pacer.js';
import { createRedisClient } from './connect.js';
import type { RedisTarget } from './options.js';

/**
 * The cluster-wide spacing of calls for a budget: `usable` calls fit in any window of `windowMs`
 * when they are at least `windowMs / (usable - 1)` apart (a window holds floor(W / minTime) + 1).
 */
export function sharedMinTimeMs(requestsPerWindow: number, windowMs: number): number {
  const usable = Math.floor(requestsPerWindow * (1 - BUDGET_HEADROOM));
  return usable >= 2 ? Math.ceil(windowMs / (usable - 1)) : windowMs + 1;
}

/** Most calls any sliding window of `windowMs` can hold with spacing `minTimeMs`. */
export function maxCallsPerWindow(minTimeMs: number, windowMs: number): number {
  return Math.floor(windowMs / minTimeMs) + 1;
}

export interface SharedBudgetOptions {
  /** Bottleneck id: the same on every instance sharing the budget (see ClusterKeys.budget). */
  readonly id: string;
  readonly redis: RedisTarget;
  readonly requestsPerWindow: number;
  readonly windowMs: number;
  readonly connectTimeoutMs: number;
  readonly connectionName: string;
  /**
   * Bottleneck's heartbeat in cluster mode (it also wakes calls that wait for capacity another
   * instance freed). Shorter than Bottleneck's 5 s default so that waits end on time.
   */
  readonly heartbeatMs?: number;
}

export interface SharedBudgetEvents {
  /** Another instance (or this one) got a 429: pause every call for `ms`. */
  onPause?(ms: number): void;
  /** Bottleneck reported a Redis error (the message only: it never holds a credential). */
  onError?(message: string): void;
}

const PAUSE_PREFIX = 'pause:';
/** Calls booked ahead at once across the cluster (see the constructor). */
const SLOTS_AHEAD = 2;

/** One instance's handle on the shared budget. */
export class SharedBudget {
  private readonly limiter: Bottleneck;
  private readonly connection: Bottleneck.IORedisConnection;
  readonly minTimeMs: number;

  constructor(opts: SharedBudgetOptions, events: SharedBudgetEvents = {}) {
    this.minTimeMs = sharedMinTimeMs(opts.requestsPerWindow, opts.windowMs);
    const client = createRedisClient(opts.redis, {
      connectTimeoutMs: opts.connectTimeoutMs,
      connectionName: opts.connectionName,
      failFast: false,
      lazy: false,
    });
    this.connection = new Bottleneck.IORedisConnection({ client: client as never });
    this.limiter = new Bottleneck({
      id: opts.id,
      datastore: 'ioredis',
      clearDatastore: false,
      connection: this.connection,
      minTime: this.minTimeMs,
      // Bottleneck books a slot (and its wait) when a call registers; only calls that cannot
      // register yet wait in the local queue, where priority orders them. Two registered calls at
      // a time across the cluster keep the pace while a live write passes queued catch-up work.
      maxConcurrent: SLOTS_AHEAD,
      heartbeatInterval: opts.heartbeatMs ?? 250,
      // Instances that vanish without a stop are forgotten after this long.
      clientTimeout: 10_000,
    });
    this.limiter.on('message', (message: string) => {
      if (!message.startsWith(PAUSE_PREFIX)) return;
      const ms = Number(message.slice(PAUSE_PREFIX.length));
      if (Number.isFinite(ms) && ms > 0) events.onPause?.(ms);
    });
    this.limiter.on('error', (err: unknown) => {
      events.onError?.(err instanceof Error ? err.message.slice(0, 200) : 'unknown');
    });
  }

  /** Resolves when the limiter has connected and loaded its scripts (rejects after `timeoutMs`). */
  async ready(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.limiter.ready(),
        new Promise<never>((_resolve, reject) => {
          timer = setTimeout(() => {
            reject(new Error(`the shared budget was not ready within ${timeoutMs} ms`));
          }, timeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Waits for this call's slot in the cluster's budget (priority 0 first, as in ApiCaller). */
  async take(priority: number): Promise<void> {
    await this.limiter.schedule({ priority: Math.max(0, Math.min(9, priority)) }, () => Promise.resolve());
  }

  /** Calls of this instance waiting for a slot. */
  queued(): number {
    return this.limiter.queued();
  }

  /** Tells every instance (this one included) to pause for `ms`. */
  async sharePause(ms: number): Promise<void> {
    await this.limiter.publish(`${PAUSE_PREFIX}${Math.ceil(ms)}`);
  }

  /** Drops waiting calls and disconnects (the shared state stays for the other instances). */
  async close(): Promise<void> {
    await this.limiter.stop({ dropWaitingJobs: true }).catch(() => undefined);
    await this.connection.disconnect(false);
  }
}
