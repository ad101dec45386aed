/**
 * Every Genesys call goes through here: the token's request budget (a pacer, see pacer.ts), at
 * most `maxConcurrentRequests` in flight, a Bottleneck queue that orders waiting calls by priority
 * (live writes first), 429 pauses scoped to the endpoint family that got them and capped
 * (pauses.ts), a single re-login on 401, a warning for every refused permission (denials.ts), and
 * bounded jittered retries for 5xx and network errors. Errors leave as GenesysError only.
 *
 * A call that finds budget and a free slot and nobody waiting goes out at once: Bottleneck's own
 * scheduling costs about 3.5 ms per call even when idle (measured), which alone would spend the
 * daemon's whole latency target. Everything else queues in Bottleneck.
 *
 * A paused call waits outside Bottleneck and without a concurrency slot, so paused writes cannot
 * starve the families that may still go. `close()` cuts through every wait: waiting calls reject
 * at once with a `closed` error.
 */
import Bottleneck from 'bottleneck';
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from '../log.js';
import { CALL_FAMILIES, familyOf, missingPermission, type CallFamily } from './calls.js';
import { DenialBoard, type DeniedCall } from './denials.js';
import { GenesysApiError, GenesysNetworkError, normaliseError, type GenesysError } from './errors.js';
import { Pacer, pacerSettings } from './pacer.js';
import { PAUSE_DEFAULTS, PauseBoard, type FamilyPause, type PauseDecision, type PauseSettings } from './pauses.js';
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
  /** How 429 pauses are capped and when they spread (defaults: {@link PAUSE_DEFAULTS}). */
  readonly pauses?: Partial<PauseSettings>;
}

/** Per-call options. */
export interface CallOptions {
  /** False: do not retry a call whose outcome is unknown (network error or timeout). Default true. */
  readonly retryUnknownOutcome?: boolean;
}

/** What the caller reports (for metrics). */
export interface CallObserver {
  onAttempt?(endpoint: string, outcome: number | 'network', ms: number): void;
  onRateLimited?(endpoint: string, retryAfterMs: number): void;
  /** A 429 started or extended a pause. */
  onPaused?(endpoint: string, decision: PauseDecision): void;
  /** Genesys refused a call with 403 (`permission` as Genesys or the call table names it). */
  onPermissionDenied?(endpoint: string, permission: string): void;
}

/**
 * The budget shared with the other instances of a cluster (src/cluster/budget.ts): every call
 * also waits for its slot there, and a 429 here is told to the others.
 */
export interface SharedBudgetPort {
  take(priority: number, signal?: AbortSignal): Promise<void>;
  sharePause(family: CallFamily, ms: number): Promise<void>;
}

/** The SDK's extended response. */
export interface ApiResponse<T> {
  readonly status: number;
  readonly headers: Record<string, unknown>;
  readonly body: T;
}

/** A warning line per endpoint at most this often for repeated 403s. */
const DENIAL_LOG_EVERY_MS = 60_000;

/** Thrown inside a queued call whose family paused while it waited: it leaves the queue and waits. */
class PausedWhileQueued extends Error {}

export class ApiCaller {
  private readonly limiter: Bottleneck;
  private readonly pacer: Pacer;
  private readonly maxActive: number;
  private active = 0;
  private readonly slotWaiters: (() => void)[] = [];
  private readonly pauseBoard: PauseBoard;
  private readonly denialBoard = new DenialBoard(DENIAL_LOG_EVERY_MS);
  private readonly stopper = new AbortController();
  private closed = false;
  private closing: Promise<void> | undefined;

  constructor(
    opts: CallerOptions,
    private readonly deps: { tokens: TokenManager; logger: Logger; observer?: CallObserver; random?: () => number; shared?: SharedBudgetPort },
    private readonly policy: RetryPolicy = opts.retry,
  ) {
    this.maxActive = opts.maxConcurrentRequests;
    this.pacer = new Pacer(pacerSettings(opts.requestsPerMinute, opts.windowMs));
    this.pauseBoard = new PauseBoard({ ...PAUSE_DEFAULTS, ...opts.pauses });
    // Bottleneck orders the waiting calls by priority; the budget and the concurrency cap are
    // kept by the pacer and `active`, which also count the calls that went out at once.
    this.limiter = new Bottleneck({ maxConcurrent: opts.maxConcurrentRequests });
  }

  /** Calls waiting for the limiter (a metric and a readiness hint). */
  queued(): number {
    return this.limiter.queued();
  }

  /** Every endpoint family with its remaining 429 pause (0: not paused). */
  pauses(): FamilyPause[] {
    return this.pauseBoard.state();
  }

  /** Endpoints refused with 403 since they last succeeded. */
  deniedCalls(): DeniedCall[] {
    return this.denialBoard.list();
  }

  /**
   * Runs `fn` (one SDK call) under the budget, retrying as the policy says. With `retryUnknownOutcome: false` a network error (timeout, reset) is thrown at once instead of
   * retried: the call may have landed, and its caller decides (the attribute PATCH reads back first).
   */
  async call<T>(endpoint: string, priority: Priority, fn: () => Promise<unknown>, opts: CallOptions = {}): Promise<ApiResponse<T>> {
    const family = familyOf(endpoint);
    let failures = 0;
    let rateLimited = 0;
    for (;;) {
      if (this.isClosed()) throw closedError(endpoint);
      let generation = this.deps.tokens.generation;
      let started = Date.now();
      try {
        await this.waitWhilePaused(family);
        if (this.deps.shared) await this.deps.shared.take(priority, this.stopper.signal);
        started = Date.now();
        const run = async (): Promise<ApiResponse<T>> => {
          await this.deps.tokens.ensure();
          generation = this.deps.tokens.generation;
          return (await fn()) as ApiResponse<T>;
        };
        const response = this.mayGoNow(family)
          ? await this.goNow(run)
          : await this.limiter.schedule({ priority }, () => this.goQueued(run, family));
        this.deps.observer?.onAttempt?.(endpoint, response.status, Date.now() - started);
        this.denialBoard.succeeded(endpoint);
        return response;
      } catch (raw) {
        // A pause began while this call waited in the queue: wait it out outside the queue.
        if (raw instanceof PausedWhileQueued) continue;
        if (this.isClosed()) throw closedError(endpoint);
        const error: GenesysError = normaliseError(raw, endpoint);
        this.deps.observer?.onAttempt?.(endpoint, 'status' in error ? error.status : 'network', Date.now() - started);
        if (error instanceof GenesysApiError && error.status === 429) rateLimited++;
        else failures++;
        if (error instanceof GenesysApiError && error.status === 403) this.permissionDenied(endpoint, error);
        const attempt = failures + rateLimited;
        const decision = decideRetry(error, { failures, rateLimited }, this.policy, this.deps.random);
        if (!decision.retry || this.isClosed()) throw error;
        if (opts.retryUnknownOutcome === false && error instanceof GenesysNetworkError) throw error;
        this.deps.logger.debug('retrying Genesys call', { endpoint, attempt, delayMs: decision.delayMs, code: error.code });
        try {
          if (decision.pause) {
            this.deps.observer?.onRateLimited?.(endpoint, decision.delayMs);
            this.rateLimitedOn(endpoint, family, decision.delayMs);
          } else if (decision.delayMs > 0) {
            await this.sleep(decision.delayMs);
          }
          if (decision.relogin) await this.deps.tokens.invalidate(generation);
        } catch (waitError) {
          if (this.isClosed()) throw closedError(endpoint);
          throw waitError;
        }
      }
    }
  }

  /** Another instance of the cluster got a 429 on `family`: pause it here too (not told on again). */
  peerRateLimited(family: string, ms: number): void {
    if (!(CALL_FAMILIES as readonly string[]).includes(family)) return;
    this.pauseBoard.rateLimited(family as CallFamily, ms);
  }

  /** Starts (or extends) the pause of `family`; warns, since a pause delays enrichments. */
  private rateLimitedOn(endpoint: string, family: CallFamily, requestedMs: number): void {
    const decision = this.pauseBoard.rateLimited(family, requestedMs);
    void this.deps.shared?.sharePause(family, decision.pauseMs);
    const fields = { endpoint, family, pauseMs: decision.pauseMs, scope: decision.all ? 'all' : 'family' };
    if (decision.capped) {
      this.deps.logger.warn('Genesys asked for a longer pause than the cap allows: pausing for the cap', { ...fields, retryAfterMs: decision.requestedMs });
    } else {
      this.deps.logger.warn(decision.all ? 'Genesys rate limit on several endpoint families: pausing every call' : 'Genesys rate limit: pausing this endpoint family', fields);
    }
    this.deps.observer?.onPaused?.(endpoint, decision);
  }

  /** A 403: the OAuth client lacks a permission. Warned (rate-limited per endpoint) and counted. */
  private permissionDenied(endpoint: string, error: GenesysApiError): void {
    const permission = missingPermission(endpoint, error.message);
    this.deps.observer?.onPermissionDenied?.(endpoint, permission);
    const line = this.denialBoard.refused(endpoint, permission);
    if (line === undefined) return;
    this.deps.logger.warn('Genesys refused a call: the OAuth client lacks a permission', {
      call: line.endpoint,
      permission: line.permission,
      refused: line.refused,
      ...(error.correlationId !== undefined && { correlationId: error.correlationId }),
    });
  }

  /** Budget now, a free slot, no pause of this family, a valid token and nobody already waiting. */
  private mayGoNow(family: CallFamily): boolean {
    return (
      this.active < this.maxActive &&
      this.slotWaiters.length === 0 &&
      this.limiter.counts().QUEUED === 0 &&
      this.pauseBoard.remaining(family) === 0 &&
      this.pacer.delay() === 0 &&
      this.deps.tokens.valid()
    );
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

  /** A queued call: waits for a slot and its place in the budget; leaves again if its family pauses. */
  private async goQueued<R>(run: () => Promise<R>, family: CallFamily): Promise<R> {
    while (this.active >= this.maxActive) {
      await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
      if (this.isClosed()) throw new Error('closed');
    }
    this.active++;
    try {
      if (this.pauseBoard.remaining(family) > 0) throw new PausedWhileQueued('paused');
      const wait = this.pacer.reserve();
      if (wait > 0) await this.sleep(wait);
      if (this.pauseBoard.remaining(family) > 0) throw new PausedWhileQueued('paused');
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

  /**
   * Stops the caller: every waiting call (paused, backing off, queued for budget or a slot)
   * rejects at once with a `closed` error; calls already on the wire finish or time out.
   */
  close(): Promise<void> {
    // Idempotent: the daemon's shutdown and its error path may both close.
    this.closing ??= (async () => {
      this.closed = true;
      this.stopper.abort();
      for (const wake of this.slotWaiters.splice(0)) wake();
      await this.limiter.stop({ dropWaitingJobs: true });
    })();
    return this.closing;
  }

  /** Alias of {@link close}, for callers that think of it as stopping. */
  stop(): Promise<void> {
    return this.close();
  }

  private async waitWhilePaused(family: CallFamily): Promise<void> {
    for (let wait = this.pauseBoard.remaining(family); wait > 0; wait = this.pauseBoard.remaining(family)) {
      await this.sleep(wait);
    }
  }

  /** A wait that `close()` cuts short (it rejects then). */
  private async sleep(ms: number): Promise<void> {
    await delay(ms, undefined, { signal: this.stopper.signal });
  }
}

function closedError(endpoint: string): GenesysNetworkError {
  return new GenesysNetworkError(endpoint, 'closed');
}
