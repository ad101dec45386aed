/**
 * Every Genesys call goes through here: one Bottleneck limiter for the token's request budget
 * (live writes first), a global pause on 429 for Retry-After, a single re-login on 401, and
 * bounded jittered retries for 5xx and network errors. Errors leave as GenesysError only.
 */
import Bottleneck from 'bottleneck';
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from '../log.js';
import { GenesysApiError, normaliseError, type GenesysError } from './errors.js';
import { decideRetry, type RetryPolicy } from './retry.js';
import type { TokenManager } from './token.js';

/** Share of the request budget the limiter's spacing leaves unused. */
export const BUDGET_HEADROOM = 0.02;

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
  private pausedUntil = 0;
  private closed = false;

  constructor(
    opts: CallerOptions,
    private readonly deps: { tokens: TokenManager; logger: Logger; observer?: CallObserver; random?: () => number },
    private readonly policy: RetryPolicy = opts.retry,
  ) {
    this.limiter = new Bottleneck({
      maxConcurrent: opts.maxConcurrentRequests,
      // Even spacing keeps every rolling window at or under the budget, whatever its alignment
      // on the server, so the daemon never causes a 429 itself. Spacing at exactly the budget
      // leaves no room for arrival jitter (the first call of a window opens a connection and
      // lands a few ms late, and the (N+1)th then falls inside it), hence the headroom. Not
      // rounded up: Bottleneck keeps a fractional schedule exactly, and rounding would cost up
      // to 14% of a 10,000/min budget.
      minTime: opts.windowMs / (opts.requestsPerMinute * (1 - BUDGET_HEADROOM)),
    });
  }

  /** Calls waiting for the limiter (a metric and a readiness hint). */
  queued(): number {
    return this.limiter.queued();
  }

  /** Runs `fn` (one SDK call) under the budget, retrying as the policy says. */
  async call<T>(endpoint: string, priority: Priority, fn: () => Promise<unknown>): Promise<ApiResponse<T>> {
    let failures = 0;
    let rateLimited = 0;
    for (;;) {
      if (this.isClosed()) throw normaliseError({ code: 'closed' }, endpoint);
      let generation = this.deps.tokens.generation;
      const started = Date.now();
      try {
        const response = await this.limiter.schedule({ priority }, async () => {
          await this.waitWhilePaused();
          await this.deps.tokens.ensure();
          generation = this.deps.tokens.generation;
          return (await fn()) as ApiResponse<T>;
        });
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
