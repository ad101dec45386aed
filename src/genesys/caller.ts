/**
 * Every Genesys call goes through here: the token's request budget (a pacer, see pacer.ts), at
 * most `maxConcurrentRequests` in flight, a Bottleneck queue that orders waiting calls by priority
 * (live writes first), a global pause on 429 for Retry-After, a single re-login on 401, and
 * bounded jittered retries for 5xx and network errors. Errors leave as GenesysError only.
 *
 * A call that finds budget and a free slot and nobody waiting goes out at once: Bottleneck's own
 * scheduling costs about 3.5 ms per call even when idle (measured), which alone would spend the
 * daemon's whole latency target. Everything else queues in Bottleneck.
 */
import Bottleneck from 'bottleneck';
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from '../log.js';
import { GenesysApiError, GenesysNetworkError, normaliseError, type GenesysError } from './errors.js';
import { Pacer, pacerSettings } from './pacer.js';
import { decideRetry, type RetryPolicy } from './retry.js';
import type { TokenManager } from './token.js';


/** Priorities (Bottleneck: 0 runs first). */
export const PRIORITY = { write: 1, control: 3, backfill: 7 } as const;
export type Priority = (typeof PRIORITY)[keyof typeof PRIORITY];

export interface CallerOptions {
  readonly requestsPerMinute: number;
  readonly maxConcurrentRequests: number;
  /** Length of the budget window (60 s in Genesys; benchmarks scale it). */
  readonly windowMs: number;
  readonly retry: RetryPolicy;
}

/** Per-call options. */
export interface CallOptions {
  /** False: do not retry a call whose outcome is unknown (network error or timeout). Default true. */
  readonly retryUnknownOutcome?: boolean;
}

/** What the caller reports about each HTTP attempt (for metrics). */
export interface CallObserver {
  onAttempt?(endpoint: string, outcome: number | 'network', ms: number): void;
  onRateLimited?(endpoint: string, retryAfterMs: number): void;
}

/** The SDK's extended response. */
export interface ApiResponse<T> {
  readonly status: number;
  readonly headers: Record<string, unknown>;
  readonly body: T;
}

export class ApiCaller {
  private readonly limiter: Bottleneck;
  private readonly pacer: Pacer;
  private readonly maxActive: number;
  private active = 0;
  private readonly slotWaiters: (() => void)[] = [];
  private pausedUntil = 0;
  private closed = false;

  constructor(
    opts: CallerOptions,
    private readonly deps: { tokens: TokenManager; logger: Logger; observer?: CallObserver; random?: () => number },
    private readonly policy: RetryPolicy = opts.retry,
  ) {
    this.maxActive = opts.maxConcurrentRequests;
    this.pacer = new Pacer(pacerSettings(opts.requestsPerMinute, opts.windowMs));
    // Bottleneck orders the waiting calls by priority; the budget and the concurrency cap are
    // kept by the pacer and `active`, which also count the calls that went out at once.
    this.limiter = new Bottleneck({ maxConcurrent: opts.maxConcurrentRequests });
  }

  /** Calls waiting for the limiter (a metric and a readiness hint). */
  queued(): number {
    return this.limiter.queued();
  }

  /**
   * Runs `fn` (one SDK call) under the budget, retrying as the policy says. With
   * `retryUnknownOutcome: false` a network error (timeout, reset) is thrown at once instead of
   * retried: the call may have landed, and its caller decides (the attribute PATCH reads back first).
   */
  async call<T>(endpoint: string, priority: Priority, fn: () => Promise<unknown>, opts: CallOptions = {}): Promise<ApiResponse<T>> {
    let failures = 0;
    let rateLimited = 0;
    for (;;) {
      if (this.isClosed()) throw normaliseError({ code: 'closed' }, endpoint);
      let generation = this.deps.tokens.generation;
      const started = Date.now();
      try {
        const run = async (): Promise<ApiResponse<T>> => {
          await this.deps.tokens.ensure();
          generation = this.deps.tokens.generation;
          return (await fn()) as ApiResponse<T>;
        };
        const response = this.mayGoNow() ? await this.goNow(run) : await this.limiter.schedule({ priority }, () => this.goQueued(run));
        this.deps.observer?.onAttempt?.(endpoint, response.status, Date.now() - started);
        return response;
      } catch (raw) {
        const error: GenesysError = normaliseError(raw, endpoint);
        this.deps.observer?.onAttempt?.(endpoint, 'status' in error ? error.status : 'network', Date.now() - started);
        if (error instanceof GenesysApiError && error.status === 429) rateLimited++;
        else failures++;
        const attempt = failures + rateLimited;
        const decision = decideRetry(error, { failures, rateLimited }, this.policy, this.deps.random);
        if (!decision.retry || this.isClosed()) throw error;
        if (opts.retryUnknownOutcome === false && error instanceof GenesysNetworkError) throw error;
        this.deps.logger.debug('retrying Genesys call', { endpoint, attempt, delayMs: decision.delayMs, code: error.code });
        if (decision.pauseAll) {
          this.deps.observer?.onRateLimited?.(endpoint, decision.delayMs);
          this.pause(decision.delayMs);
        } else if (decision.delayMs > 0) {
          await delay(decision.delayMs);
        }
        if (decision.relogin) await this.deps.tokens.invalidate(generation);
      }
    }
  }

  /** Budget now, a free slot, no 429 pause, a valid token and nobody already waiting. */
  private mayGoNow(): boolean {
    return this.active < this.maxActive && this.slotWaiters.length === 0 && this.limiter.counts().QUEUED === 0 && Date.now() >= this.pausedUntil && this.pacer.delay() === 0 && this.deps.tokens.valid();
  }

  private async goNow<R>(run: () => Promise<R>): Promise<R> {
    this.pacer.reserve();
    this.active++;
    try {
      return await run();
    } finally {
      this.release();
    }
  }

  /** A queued call: waits for a slot, the end of any 429 pause, and its place in the budget. */
  private async goQueued<R>(run: () => Promise<R>): Promise<R> {
    while (this.active >= this.maxActive) await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
    this.active++;
    try {
      for (;;) {
        await this.waitWhilePaused();
        const wait = this.pacer.reserve();
        if (wait > 0) await delay(wait);
        // A 429 while we waited for our slot: wait it out and take a new slot.
        if (Date.now() >= this.pausedUntil) break;
      }
      return await run();
    } finally {
      this.release();
    }
  }

  private release(): void {
    this.active--;
    this.slotWaiters.shift()?.();
  }

  /** Read through a method: `close()` may flip it while a call awaits. */
  private isClosed(): boolean {
    return this.closed;
  }

  /** Holds every call for `ms` (a 429 means the whole token's budget is spent). */
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, Date.now() + ms);
  }

  /** Finishes running calls, drops waiting ones. */
  async close(): Promise<void> {
    this.closed = true;
    await this.limiter.stop({ dropWaitingJobs: true });
  }

  private async waitWhilePaused(): Promise<void> {
    for (let wait = this.pausedUntil - Date.now(); wait > 0; wait = this.pausedUntil - Date.now()) {
      await delay(wait);
    }
  }
}
