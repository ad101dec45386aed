/**
 * The claims as the pipeline uses them: `acquire` a conversation before working on it, `confirm`
 * the lease right before the write, `finish` (done) or `abandon` (release) afterwards. While Redis
 * cannot be reached nobody writes: acquire and confirm wait until it is back (the work queue
 * holds everything behind them), and the availability is reported for readiness and metrics.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { holderInstance, renewEveryMs, type RedisClaims } from './claims.js';
import { toClusterError, type RedisClient, type RedisFault } from './connect.js';

/** What the pipeline may do with a conversation. */
export type Acquired =
  /**
   * `recheck`: Redis was away since `seenAt` (or during this acquire). A claim can lapse while
   * Redis is away, and a holder cut off after its write may not have recorded "done": read the
   * conversation again before writing.
   */
  | { readonly kind: 'mine'; readonly lease: Lease; readonly recheck: boolean }
  /** Some instance has decided it already: nothing to do. */
  | { readonly kind: 'done'; readonly by: string }
  /** Another instance works on it; look again after `retryAfterMs` (it may die). */
  | { readonly kind: 'held'; readonly by: string; readonly retryAfterMs: number }
  /** The coordinator is closing. */
  | { readonly kind: 'stopped' };

/** Redis reachability as readiness and metrics see it. */
export interface ClusterAvailability {
  readonly available: boolean;
  /** Why it is unavailable (absent while available). */
  readonly fault?: RedisFault;
  /** Since when (epoch ms) the current state holds. */
  readonly since: number;
  /** Conversations waiting for Redis to claim or confirm them. */
  readonly waiting: number;
}

export interface CoordinatorEvents {
  /** Redis became unreachable (`fault`) or reachable again. */
  onAvailability?(availability: ClusterAvailability): void;
  /** A lease was found lost before a write (another instance took over): the write was not made. */
  onLeaseLost?(conversationId: string): void;
}

export interface CoordinatorOptions {
  readonly leaseMs: number;
  /** Pause between two tries while Redis answers but refuses (full, read-only, loading). */
  readonly retryDelayMs: number;
  /** How often a held lease is renewed; default a third of `leaseMs` (tests freeze a holder with a long one). */
  readonly renewMs?: number;
}

/** A claim this instance holds; renewed in the background until finished or abandoned. */
export interface Lease {
  readonly conversationId: string;
  readonly token: string;
  /**
   * Renews right before the write: true when the claim is (still, or again) ours. Waits while
   * Redis is unreachable; false when another instance holds it now.
   */
  confirm(): Promise<boolean>;
  /** The conversation is decided (enriched or skipped for good). */
  finish(): Promise<void>;
  /** The work stopped without a decision: let another try (now or later). */
  abandon(): Promise<void>;
}

export class ClusterCoordinator {
  private state: { available: boolean; fault?: RedisFault; since: number } = { available: true, since: Date.now() };
  private waiting = 0;
  private readonly stopper = new AbortController();
  private readonly leases = new Set<LeaseImpl>();
  private nextReady: Promise<void> | undefined;
  /** Epoch ms when the last outage ended (0: none yet). */
  private lastOutageEnd = 0;
  private wakeWaiters: (() => void) | undefined;

  constructor(
    readonly claims: RedisClaims,
    private readonly client: RedisClient,
    private readonly opts: CoordinatorOptions,
    private readonly events: CoordinatorEvents = {},
  ) {
    client.on('ready', this.onReady);
    client.on('close', this.onClose);
    // Without a listener ioredis prints every failed reconnect; the state below says it once.
    client.on('error', this.onError);
  }

  /** Reachability now. */
  availability(): ClusterAvailability {
    return { ...this.state, waiting: this.waiting };
  }

  /** Claims the conversation, waiting while Redis is unreachable; `seenAt`: epoch ms the snapshot was seen. */
  async acquire(conversationId: string, seenAt: number = Date.now()): Promise<Acquired> {
    let waited = false;
    for (;;) {
      if (this.stopper.signal.aborted) return { kind: 'stopped' };
      try {
        const token = this.claims.token();
        const outcome = await this.claims.claim(conversationId, token);
        this.markAvailable();
        if (outcome.kind === 'done') return outcome;
        if (outcome.kind === 'held') return { kind: 'held', by: holderInstance(outcome.by), retryAfterMs: Math.max(outcome.ttlMs, 1) };
        const lease = new LeaseImpl(this, conversationId, outcome.token, this.opts.renewMs ?? renewEveryMs(this.opts.leaseMs));
        this.leases.add(lease);
        return { kind: 'mine', lease, recheck: waited || this.lastOutageEnd >= seenAt };
      } catch (err) {
        waited = true;
        if (!(await this.waitAfter(err))) return { kind: 'stopped' };
      }
    }
  }

  /** Which conversations any instance has done; undefined while Redis is unreachable. */
  async doneAmong(conversationIds: readonly string[]): Promise<Set<string> | undefined> {
    try {
      const done = await this.claims.doneAmong(conversationIds);
      this.markAvailable();
      return done;
    } catch (err) {
      this.markUnavailable(err);
      return undefined;
    }
  }

  /** Stops waiting (waiters get `stopped`), stops renewing; leases left run out on their own. */
  close(): void {
    this.stopper.abort();
    this.wake();
    for (const lease of this.leases) lease.stopRenewing();
    this.leases.clear();
    this.client.off('ready', this.onReady);
    this.client.off('close', this.onClose);
    this.client.off('error', this.onError);
  }

  /** Runs `op` until Redis answers it (undefined when closed meanwhile). */
  async untilAnswered<T>(op: () => Promise<T>): Promise<T | undefined> {
    for (;;) {
      if (this.stopper.signal.aborted) return undefined;
      try {
        const value = await op();
        this.markAvailable();
        return value;
      } catch (err) {
        if (!(await this.waitAfter(err))) return undefined;
      }
    }
  }

  /** @internal */
  forget(lease: LeaseImpl): void {
    this.leases.delete(lease);
  }

  /** @internal */
  leaseLost(conversationId: string): void {
    this.events.onLeaseLost?.(conversationId);
  }

  /** After a failed command: wait for the connection (or a pause when it is up but refusing); false when closed. */
  private async waitAfter(err: unknown): Promise<boolean> {
    this.markUnavailable(err);
    this.waiting++;
    try {
      const signal = this.stopper.signal;
      if (this.client.status !== 'ready') await this.reconnected();
      else await sleep(this.opts.retryDelayMs, undefined, { signal }).catch(() => undefined);
      return !signal.aborted;
    } finally {
      this.waiting--;
    }
  }

  /** One promise for every waiter: resolves when the client is ready again, or at close. */
  private reconnected(): Promise<void> {
    this.nextReady ??= new Promise<void>((resolve) => {
      this.wakeWaiters = resolve;
    });
    return this.nextReady;
  }

  private wake(): void {
    const wake = this.wakeWaiters;
    this.nextReady = undefined;
    this.wakeWaiters = undefined;
    wake?.();
  }

  private readonly onReady = (): void => {
    this.markAvailable();
    this.wake();
  };

  private readonly onClose = (): void => {
    this.markUnavailable(toClusterError(new Error('Connection is closed.'), 'connection'));
  };

  private readonly onError = (err: unknown): void => {
    this.markUnavailable(err);
  };

  private markAvailable(): void {
    if (this.state.available) return;
    this.lastOutageEnd = Date.now();
    this.state = { available: true, since: this.lastOutageEnd };
    this.events.onAvailability?.(this.availability());
  }

  private markUnavailable(err: unknown): void {
    const fault = toClusterError(err, 'claims').fault;
    if (!this.state.available && this.state.fault === fault) return;
    this.state = { available: false, fault, since: this.state.available ? Date.now() : this.state.since };
    this.events.onAvailability?.(this.availability());
  }
}

class LeaseImpl implements Lease {
  private timer: NodeJS.Timeout | undefined;
  private ended = false;

  constructor(
    private readonly owner: ClusterCoordinator,
    readonly conversationId: string,
    readonly token: string,
    renewMs: number,
  ) {
    // Background renewal keeps a slow CRM lookup or write inside the lease; a failed renewal is
    // caught up by confirm() before the write.
    this.timer = setInterval(() => {
      owner.claims.renew(conversationId, token).catch(() => undefined);
    }, renewMs);
    this.timer.unref();
  }

  async confirm(): Promise<boolean> {
    // Re-claiming with our own token renews the lease, or takes it again if it ran out while
    // nobody else claimed it; it refuses when another instance holds it or it is done.
    const outcome = await this.owner.untilAnswered(() => this.owner.claims.claim(this.conversationId, this.token));
    const mine = outcome?.kind === 'claimed';
    if (!mine) {
      this.stopRenewing();
      if (outcome !== undefined) this.owner.leaseLost(this.conversationId);
    }
    return mine;
  }

  async finish(): Promise<void> {
    this.stopRenewing();
    await this.owner.untilAnswered(() => this.owner.claims.done(this.conversationId, this.token));
  }

  async abandon(): Promise<void> {
    this.stopRenewing();
    // Best effort: if Redis is away the lease simply runs out.
    await this.owner.claims.release(this.conversationId, this.token).catch(() => undefined);
  }

  stopRenewing(): void {
    if (this.ended) return;
    this.ended = true;
    clearInterval(this.timer);
    this.timer = undefined;
    this.owner.forget(this);
  }
}
