/**
 * The CRM circuit breaker: after `failureThreshold` consecutive failed calls it opens for
 * `openMs` (calls are refused at once), then half-opens to let exactly one probe through; the
 * probe's success closes it, its failure opens it again. Decisions are pure functions; the class
 * adds the clock, the permits and the transition log.
 */
import type { Logger } from '../log.js';

/** Breaker settings. */
export interface BreakerConfig {
  /** Consecutive failures that open the breaker. */
  readonly failureThreshold: number;
  /** How long it stays open before one probe may pass. */
  readonly openMs: number;
}

/** Name of a breaker state, as shown in stats and logs. */
export type BreakerStateName = 'closed' | 'open' | 'half-open';

/** Full breaker state. */
export type BreakerState =
  | { readonly name: 'closed'; readonly failures: number }
  | { readonly name: 'open'; readonly untilMs: number }
  | { readonly name: 'half-open'; readonly probing: boolean };

/**
 * How a permitted call ended: `release` = it never reached the CRM (queue timeout, shutdown);
 * `bad-answer` = the CRM answered, but with something unusable for this one customer (malformed
 * JSON, a scalar, an oversize body). A bad answer proves the CRM is up: it neither counts towards
 * opening the breaker (a few odd records must not cut every customer off) nor resets the count.
 */
export type CallResult = 'success' | 'failure' | 'release' | 'bad-answer';

/** The breaker every client starts with. */
export const CLOSED: BreakerState = { name: 'closed', failures: 0 };

/** Open becomes half-open once its time is up; other states stay. */
export function advanceBreaker(state: BreakerState, nowMs: number): BreakerState {
  return state.name === 'open' && nowMs >= state.untilMs ? { name: 'half-open', probing: false } : state;
}

/** May a call go to the CRM now? Half-open admits one probe at a time. */
export function admitCall(state: BreakerState, nowMs: number): { state: BreakerState; admitted: boolean } {
  const current = advanceBreaker(state, nowMs);
  switch (current.name) {
    case 'closed':
      return { state: current, admitted: true };
    case 'open':
      return { state: current, admitted: false };
    case 'half-open':
      return current.probing ? { state: current, admitted: false } : { state: { name: 'half-open', probing: true }, admitted: true };
  }
}

/** The state after a permitted call ended. Only called for calls admitted in the current state. */
export function settleCall(state: BreakerState, result: CallResult, nowMs: number, cfg: BreakerConfig): BreakerState {
  const open: BreakerState = { name: 'open', untilMs: nowMs + cfg.openMs };
  switch (state.name) {
    case 'closed':
      if (result === 'success') return CLOSED;
      if (result === 'release' || result === 'bad-answer') return state;
      return state.failures + 1 >= cfg.failureThreshold ? open : { name: 'closed', failures: state.failures + 1 };
    case 'half-open':
      // The probe got an answer, usable or not: the CRM is back.
      if (result === 'success' || result === 'bad-answer') return CLOSED;
      if (result === 'release') return { name: 'half-open', probing: false };
      return open;
    case 'open':
      return state;
  }
}

/** A permission to make one CRM call; settle it exactly once (later settles are ignored). */
export interface BreakerPermit {
  settle(result: CallResult): void;
}

/** The stateful breaker of one CRM client. */
export class CircuitBreaker {
  #state: BreakerState = CLOSED;
  // Bumped on every change of state name: results of calls admitted under an older state
  // (e.g. stragglers from before the breaker opened) must not decide the current one.
  #generation = 0;
  #cfg: BreakerConfig;
  readonly #logger: Logger;
  readonly #now: () => number;

  constructor(cfg: BreakerConfig, deps: { logger: Logger; now: () => number }) {
    this.#cfg = cfg;
    this.#logger = deps.logger;
    this.#now = deps.now;
  }

  /** Current state name (an open breaker whose time is up reads as half-open). */
  get state(): BreakerStateName {
    this.#set(advanceBreaker(this.#state, this.#now()), 'open period over');
    return this.#state.name;
  }

  /** New thresholds apply from the next failure or opening; the current state is kept. */
  configure(cfg: BreakerConfig): void {
    this.#cfg = cfg;
  }

  /** A permit for one call, or undefined when the breaker refuses calls right now. */
  tryAcquire(): BreakerPermit | undefined {
    const { state, admitted } = admitCall(this.#state, this.#now());
    this.#set(state, 'open period over');
    if (!admitted) return undefined;
    const generation = this.#generation;
    let settled = false;
    return {
      settle: (result) => {
        if (settled) return;
        settled = true;
        if (generation !== this.#generation) return;
        const reason = { success: 'call succeeded', failure: 'call failed', release: 'probe released', 'bad-answer': 'CRM answered (unusable answer)' }[result];
        this.#set(settleCall(this.#state, result, this.#now(), this.#cfg), reason);
      },
    };
  }

  #set(next: BreakerState, reason: string): void {
    const from = this.#state.name;
    this.#state = next;
    if (next.name === from) return;
    this.#generation += 1;
    this.#logger.warn('crm circuit breaker changed state', {
      from,
      to: next.name,
      reason,
      ...(next.name === 'open' ? { openMs: this.#cfg.openMs } : {}),
    });
  }
}
