/**
 * The API budget shared by every instance of a cluster that uses one OAuth client: a Bottleneck
 * limiter in Redis (`datastore: 'ioredis'`, the same id on every instance). Bottleneck's scripts
 * keep `minTime` cluster-wide with Redis's clock, so the calls of all instances together leave at
 * most one per `minTime`: no sliding window of `windowMs` ever holds more than the budget (less the
 * headroom). Each instance's waiting calls stay ordered by priority (live writes before catch-up
 * work). A 429 on one instance is published to all of them, so every instance pauses.
 */
import Bottleneck from 'bottleneck';
import { setTimeout as sleep } from 'node:timers/promises';
import { BUDGET_HEADROOM, Pacer, pacerSettings } from '../genesys/pacer.js';
import { createRedisClient, type RedisClient } from './connect.js';
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
  /** This instance's id: its own pause messages are not applied twice. */
  readonly instanceId: string;
  /**
   * Instances alive as last seen (at least 1). While Redis cannot be reached each instance paces
   * itself at its share of the budget, `requestsPerWindow / liveInstances()`.
   */
  readonly liveInstances: () => number;
}

export interface SharedBudgetEvents {
  /** Another instance got a 429 on the endpoint family `family`: pause it for `ms`. */
  onPause?(family: string, ms: number): void;
  /** Bottleneck reported a Redis error (the message only: it never holds a credential). */
  onError?(message: string): void;
}

const PAUSE_PREFIX = 'pause ';

/** The message announcing a 429 pause: `pause <from> <family> <ms>`. */
export function pauseMessage(from: string, family: string, ms: number): string {
  return `${PAUSE_PREFIX}${from} ${family} ${Math.ceil(ms)}`;
}

/** Reads a pause message; undefined for anything else. */
export function parsePauseMessage(message: string): { from: string; family: string; ms: number } | undefined {
  if (!message.startsWith(PAUSE_PREFIX)) return undefined;
  const [from, family, ms] = message.slice(PAUSE_PREFIX.length).split(' ');
  const n = Number(ms);
  if (from === undefined || from === '' || family === undefined || family === '' || !Number.isInteger(n) || n <= 0) return undefined;
  return { from, family, ms: n };
}
/** Calls booked ahead at once across the cluster (see the constructor). */
const SLOTS_AHEAD = 2;

/** One Redis connection and the limiter on it. */
interface Parts {
  readonly client: RedisClient;
  readonly connection: Bottleneck.IORedisConnection;
  readonly limiter: Bottleneck;
}

/**
 * One instance's handle on the shared budget. After Redis comes back from an outage the limiter
 * is built anew on a new connection: a restarted Redis has lost Bottleneck's settings, and
 * Bottleneck 2.19.5 does not recognise Redis 7's "ERR SETTINGS_KEY_NOT_FOUND" to recreate them.
 */
export class SharedBudget {
  private parts: Parts;
  readonly minTimeMs: number;
  private fallback: { pacer: Pacer; share: number } | undefined;
  private closed = false;

  constructor(
    private readonly opts: SharedBudgetOptions,
    private readonly events: SharedBudgetEvents = {},
  ) {
    this.minTimeMs = sharedMinTimeMs(opts.requestsPerWindow, opts.windowMs);
    this.parts = this.build();
  }

  private build(): Parts {
    const opts = this.opts;
    const client = createRedisClient(opts.redis, {
      connectTimeoutMs: opts.connectTimeoutMs,
      connectionName: opts.connectionName,
      failFast: false,
      lazy: false,
    });
    // Without a listener ioredis prints every failed reconnect; the limiter reports errors itself.
    client.on('error', () => undefined);
    let lost = false;
    client.on('close', () => {
      lost = true;
    });
    client.on('ready', () => {
      if (lost && !this.closed && this.parts.client === client) this.rebuild();
    });
    const connection = new Bottleneck.IORedisConnection({ client: client as never });
    const limiter = new Bottleneck({
      id: opts.id,
      datastore: 'ioredis',
      clearDatastore: false,
      connection,
      minTime: this.minTimeMs,
      // Bottleneck books a slot (and its wait) when a call registers; only calls that cannot
      // register yet wait in the local queue, where priority orders them. Two registered calls at
      // a time across the cluster keep the pace while a live write passes queued catch-up work.
      maxConcurrent: SLOTS_AHEAD,
      heartbeatInterval: opts.heartbeatMs ?? 250,
      // Instances that vanish without a stop are forgotten after this long.
      clientTimeout: 10_000,
    });
    limiter.on('message', (message: string) => {
      const pause = parsePauseMessage(message);
      if (pause !== undefined && pause.from !== opts.instanceId) this.events.onPause?.(pause.family, pause.ms);
    });
    limiter.on('error', (err: unknown) => {
      this.events.onError?.(err instanceof Error ? err.message.slice(0, 200) : 'unknown');
    });
    return { client, connection, limiter };
  }

  private rebuild(): void {
    const old = this.parts;
    this.parts = this.build();
    void dispose(old);
  }

  /** Resolves when the limiter has connected and loaded its scripts (rejects after `timeoutMs`). */
  async ready(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.parts.limiter.ready(),
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

  /** Whether Redis is reachable now (else calls are paced by the local fallback). */
  connected(): boolean {
    return this.parts.client.status === 'ready';
  }

  /**
   * Waits for this call's slot in the cluster's budget (priority 0 first, as in ApiCaller). While
   * Redis cannot be reached the slot comes from a local pacer at this instance's share of the
   * budget, so that detection (channel set-up, catch-up queries) goes on during an outage.
   */
  async take(priority: number, signal?: AbortSignal): Promise<void> {
    for (;;) {
      if (this.closed || signal?.aborted === true) throw new Error('closed');
      if (!this.connected()) {
        const wait = this.fallbackPacer().reserve();
        if (wait > 0) await sleep(wait, undefined, signal ? { signal } : {});
        return;
      }
      this.fallback = undefined;
      const { client, limiter } = this.parts;
      const booked = limiter.schedule({ priority: Math.max(0, Math.min(9, priority)) }, () => Promise.resolve()).then(
        () => 'booked' as const,
        () => 'failed' as const,
      );
      // A booking stuck because Redis went away is left behind (it ends with its limiter).
      let onClose: (() => void) | undefined;
      const lost = new Promise<'lost'>((resolve) => {
        onClose = () => {
          resolve('lost');
        };
        client.once('close', onClose);
      });
      const outcome = await Promise.race([booked, lost]);
      if (onClose) client.off('close', onClose);
      if (outcome === 'booked') return;
      // Failed (Redis error, limiter replaced) or lost: look again, after a breath when it failed.
      if (outcome === 'failed') await sleep(50);
    }
  }

  /** Calls of this instance waiting for a slot. */
  queued(): number {
    return this.parts.limiter.queued();
  }

  private fallbackPacer(): Pacer {
    const share = Math.max(1, Math.floor(this.opts.requestsPerWindow / Math.max(1, this.opts.liveInstances())));
    if (this.fallback?.share !== share) this.fallback = { pacer: new Pacer(pacerSettings(share, this.opts.windowMs)), share };
    return this.fallback.pacer;
  }

  /** Tells the other instances that endpoint family `family` is paused for `ms` (best effort). */
  async sharePause(family: string, ms: number): Promise<void> {
    if (!this.connected()) return;
    await this.parts.limiter.publish(pauseMessage(this.opts.instanceId, family, ms)).catch(() => undefined);
  }

  /** Drops waiting calls and disconnects (the shared state stays for the other instances). */
  async close(): Promise<void> {
    this.closed = true;
    await dispose(this.parts);
  }
}

async function dispose(parts: Parts): Promise<void> {
  await parts.limiter.stop({ dropWaitingJobs: true }).catch(() => undefined);
  await parts.connection.disconnect(false);
}
