/**
 * Every Genesys call goes through here. The caller only composes layers that each do one job and
 * are tested on their own:
 * - pauses.ts: a 429 pauses the endpoint family that got it, capped, spreading to all families
 *   when several are refused close together; a paused call waits before it takes its turn;
 * - pacing.ts: the budget, the one concurrency limit and the line ordered by priority;
 * - call-token.ts: a valid token on every attempt, one re-login after a 401;
 * - retry.ts: whether and when to send the same request again (pure);
 * - call-events.ts: events for metrics, warnings for pauses and refused permissions.
 * Errors leave as GenesysError only. `close()` cuts through every wait: waiting calls reject at
 * once with a `closed` error; calls already on the wire finish or time out.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from '../log.js';
import { CallEvents, type CallObserver } from './call-events.js';
import { CallToken, type TokenSource } from './call-token.js';
import { familyOf, type CallFamily } from './calls.js';
import type { DeniedCall } from './denials.js';
import { GenesysNetworkError, normaliseError, type GenesysError } from './errors.js';
import { Pacing, PausedInLine, type PacingOptions, type Priority } from './pacing.js';
import { PAUSE_DEFAULTS, PauseBoard, waitOutPause, type FamilyPause, type PauseSettings } from './pauses.js';
import { countFailure, decideRetry, NO_FAILURES, type FailureCounts, type RetryDecision, type RetryPolicy, type RetryScope } from './retry.js';

export { PRIORITY, type Priority } from './pacing.js';
export type { CallObserver } from './call-events.js';

/** The caller's options: pacing, retries and pauses. */
export interface CallerOptions extends PacingOptions {
  /** How failed calls are retried. */
  readonly retry: RetryPolicy;
  /** How 429 pauses are capped and when they spread (defaults: {@link PAUSE_DEFAULTS}). */
  readonly pauses?: Partial<PauseSettings>;
}

/** Per-call options. */
export type CallOptions = RetryScope;

/** The SDK's extended response. */
export interface ApiResponse<T> {
  readonly status: number;
  readonly headers: Record<string, unknown>;
  readonly body: T;
}

/** One attempt's outcome: the answer, or the error with what to do about it. */
type Attempt = { readonly response: ApiResponse<unknown> } | { readonly error: GenesysError; readonly decision: RetryDecision };

/** What the caller is built with. */
export interface CallerDeps {
  /** The token manager every attempt takes its token from. */
  readonly tokens: TokenSource;
  readonly logger: Logger;
  /** Receives an event per attempt, pause and refusal. */
  readonly observer?: CallObserver;
  /** Jitter source for backoffs (tests pin it). */
  readonly random?: () => number;
}

export class ApiCaller {
  private readonly pacing: Pacing;
  private readonly pauseBoard: PauseBoard;
  private readonly events: CallEvents;
  private readonly stopper = new AbortController();
  private closing: Promise<void> | undefined;

  constructor(
    private readonly opts: CallerOptions,
    private readonly deps: CallerDeps,
  ) {
    this.pacing = new Pacing(opts);
    this.pauseBoard = new PauseBoard({ ...PAUSE_DEFAULTS, ...opts.pauses });
    this.events = new CallEvents(deps.logger, deps.observer);
  }

  /** Calls waiting for their turn (a metric and a readiness hint). */
  queued(): number {
    return this.pacing.queued();
  }

  /** Every endpoint family with its remaining 429 pause (0: not paused). */
  pauses(): FamilyPause[] {
    return this.pauseBoard.state();
  }

  /** Endpoints refused with 403 since they last succeeded. */
  deniedCalls(): DeniedCall[] {
    return this.events.deniedCalls();
  }

  /**
   * Runs `fn` (one SDK call) under the budget, sending it again as the retry decision says. With
   * `retryUnknownOutcome: false` a network error (timeout, reset) is thrown at once instead of
   * retried: the call may have landed, and its caller decides (the attribute PATCH reads back first).
   */
  async call<T>(endpoint: string, priority: Priority, fn: () => Promise<unknown>, opts: CallOptions = {}): Promise<ApiResponse<T>> {
    const family = familyOf(endpoint);
    const paused = (): boolean => this.pauseBoard.remaining(family) > 0;
    const token = new CallToken(this.deps.tokens);
    let counts = NO_FAILURES;
    for (;;) {
      if (this.isClosed()) throw closedError(endpoint);
      let outcome: Attempt;
      try {
        await waitOutPause(this.pauseBoard, family, this.stopper.signal);
        const started = Date.now();
        outcome = await this.pacing.run({ priority, paused, mayGoNow: token.ready() }, async (): Promise<Attempt> => {
          try {
            const response = (await token.attach(fn)) as ApiResponse<unknown>;
            this.events.answered(endpoint, response.status, Date.now() - started);
            return { response };
          } catch (raw) {
            // Decided while the slot is held: a 429's pause is on the board before the next
            // call in line may take the slot.
            const error = normaliseError(raw, endpoint);
            this.events.failed(endpoint, error, Date.now() - started);
            counts = countFailure(counts, error);
            return { error, decision: this.failed(endpoint, family, error, counts, opts) };
          }
        });
      } catch (raw) {
        // A pause began while this call waited in line: wait it out outside the line.
        if (raw instanceof PausedInLine) continue;
        if (this.isClosed()) throw closedError(endpoint);
        throw normaliseError(raw, endpoint);
      }
      if ('response' in outcome) return outcome.response as ApiResponse<T>;
      // Closed while it was on the wire: whatever failed, the caller stopped (as for every waiter).
      if (this.isClosed()) throw closedError(endpoint);
      const { error, decision } = outcome;
      if (!decision.retry) throw error;
      try {
        if (!decision.pause && decision.delayMs > 0) await delay(decision.delayMs, undefined, { signal: this.stopper.signal });
        if (decision.relogin) await token.relogin();
      } catch (waitError) {
        if (this.isClosed()) throw closedError(endpoint);
        throw waitError;
      }
    }
  }

  /** After a failed attempt: the retry decision, and a 429's pause started at once. */
  private failed(endpoint: string, family: CallFamily, error: GenesysError, counts: FailureCounts, opts: CallOptions): RetryDecision {
    const decision = decideRetry(error, counts, this.opts.retry, this.deps.random, opts);
    if (!decision.retry || this.isClosed()) return decision;
    this.events.retrying(endpoint, counts.failures + counts.rateLimited, decision.delayMs, error);
    if (decision.pause) this.events.paused(endpoint, decision.delayMs, this.pauseBoard.rateLimited(family, decision.delayMs));
    return decision;
  }

  /** Read through a method: `close()` may flip it while a call awaits. */
  private isClosed(): boolean {
    return this.stopper.signal.aborted;
  }

  /**
   * Stops the caller: every waiting call (paused, backing off, waiting for budget or a slot)
   * rejects at once with a `closed` error; calls already on the wire finish or time out.
   */
  close(): Promise<void> {
    // Idempotent: the daemon's shutdown and its error path may both close.
    this.closing ??= (async () => {
      this.stopper.abort();
      await this.pacing.close();
    })();
    return this.closing;
  }
}

function closedError(endpoint: string): GenesysNetworkError {
  return new GenesysNetworkError(endpoint, 'closed');
}
