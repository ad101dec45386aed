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
/** How long a closing limiter's connection may take to quit before it is cut. */
const QUIT_TIMEOUT_MS = 1_000;
/** Calls booked ahead at once across the cluster (see the constructor). */
const SLOTS_AHEAD = 2;

/** One Redis connection and the limiter on it. */
interface Parts {
  readonly client: RedisClient;
  readonly connection: Bottleneck.IORedisConnection;
  readonly limiter: Bottleneck;
}

/**
 * Bottleneck 2.19.5 recreates its state in Redis when a script answers `SETTINGS_KEY_NOT_FOUND` or
 * `UNKNOWN_CLIENT` (a Redis that restarted without its data), but Redis 7 prefixes script errors
 * with `ERR `, which Bottleneck does not recognise: the limiter would fail every call from then on.
 * This strips the prefix from those two answers, on the way from Redis to Bottleneck.
 */
export function bottleneckErrorFor(err: unknown): unknown {
  if (err instanceof Error && /^ERR (SETTINGS_KEY_NOT_FOUND|UNKNOWN_CLIENT)$/.test(err.message)) {
    return Object.assign(new Error(err.message.slice('ERR '.length)), { cause: err });
  }
  return err;
}

type ScriptCallback = (err: unknown, replies: unknown) => void;
type ScriptFn = (...args: unknown[]) => unknown;

/** Routes the connection's script answers through {@link bottleneckErrorFor}. */
function recogniseRedis7Errors(connection: Bottleneck.IORedisConnection): void {
  const target = connection as unknown as { __scriptFn__(name: string): ScriptFn };
  const original = target.__scriptFn__.bind(connection);
  target.__scriptFn__ = (name: string): ScriptFn => {
    const fn = original(name);
    return (...args: unknown[]) => {
      const callback = args.pop() as ScriptCallback;
      return fn(...args, (err: unknown, replies: unknown) => {
        callback(err === null || err === undefined ? err : bottleneckErrorFor(err), replies);
      });
    };
  };
}

/** One instance's handle on the shared budget. */
export class SharedBudget {
  private readonly parts: Parts;
  readonly minTimeMs: number;
  /** How long a booked slot may stay unreported before Redis frees it (see take()). */
  private readonly slotExpirationMs: number;
  private fallback: { pacer: Pacer; share: number } | undefined;
  private closed = false;

  constructor(
    private readonly opts: SharedBudgetOptions,
    private readonly events: SharedBudgetEvents = {},
  ) {
    this.minTimeMs = sharedMinTimeMs(opts.requestsPerWindow, opts.windowMs);
    // A booked call waits at most SLOTS_AHEAD spacings before it runs (instantly: it is a no-op).
    this.slotExpirationMs = (SLOTS_AHEAD + 1) * this.minTimeMs + 2_000;
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
    const connection = new Bottleneck.IORedisConnection({ client: client as never });
    recogniseRedis7Errors(connection);
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
      // The expiration frees the booking's slot in Redis even if this process dies before it
      // reports the call done (a SIGKILL, a lost connection): without it the cluster-wide
      // concurrency would leak until every call waits forever. It does not touch the pacing.
      const booked = limiter.schedule({ priority: Math.max(0, Math.min(9, priority)), expiration: this.slotExpirationMs }, () => Promise.resolve()).then(
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
      // Failed (a Redis error) or lost: look again, after a breath when it failed.
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
  // QUIT lets the limiter's commands still in flight finish: a hard disconnect would reject them
  // inside Bottleneck, where nobody catches the rejection. If Redis is away, cut it after a while.
  let timer: NodeJS.Timeout | undefined;
  const quit = Promise.resolve(parts.connection.disconnect(true)).then(
    () => true,
    () => true,
  );
  const cut = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => {
      resolve(false);
    }, QUIT_TIMEOUT_MS);
  });
  const quitted = await Promise.race([quit, cut]);
  clearTimeout(timer);
  if (!quitted) parts.client.disconnect();
}
