/**
 * The CRM lookup: an lru-cache keyed by the rendered URL whose `fetch()` coalesces concurrent
 * lookups of one key into one call, keeps "not found" only briefly, and answers from the stale
 * entry when the CRM fails or is slower than `timeoutMs` (the slow call still refreshes the
 * cache in the background). Fresh entries never touch the CRM, the breaker or the gate.
 */
import { setMaxListeners } from 'node:events';
import { LRUCache } from 'lru-cache';
import type { Logger } from '../log.js';
import { CircuitBreaker, type BreakerStateName } from './breaker.js';
import { classifyLookup, type CallRecord, type LookupVerdict } from './classify.js';
import { CrmFetcher, type CrmCallResult } from './fetcher.js';
import { ConcurrencyGate } from './gate.js';
import { createAgents, type CrmAgents } from './http.js';
import { assertCrmOptions, type CrmOptions } from './options.js';
import { parseCrmTemplate, renderCrmLookup, type CrmTemplate } from './template.js';
import type { CrmContext, CrmEntry, CrmFailure, CrmOutcome, CrmResult } from './types.js';

/** Counters of one client since it started. */
export interface CrmStats {
  readonly hit: number;
  readonly miss: number;
  readonly stale: number;
  readonly timeout: number;
  readonly error: number;
  /** Lookups skipped because the conversation had no value for the template (counted in `error` too). */
  readonly noLookupKey: number;
  /** HTTP requests sent to the CRM. */
  readonly requests: number;
  readonly inFlight: number;
  readonly queued: number;
  readonly cacheSize: number;
  readonly breaker: BreakerStateName;
}

/** What a client needs besides its options. */
export interface CrmDeps {
  readonly logger: Logger;
  /** Clock for latencies, cache ages and the breaker (default `performance.now`). */
  readonly now?: () => number;
  /** Told how every call that reached the CRM ended: bad answers apart from failures (for metrics). */
  readonly onCall?: (result: CrmCallResult, failure?: CrmFailure) => void;
}

type Cache = LRUCache<string, CrmEntry, CallRecord>;
const DEADLINE = Symbol('deadline');

/** Looks customers up in the CRM; one instance per daemon, reconfigured on reload. */
export class CrmClient {
  /** The circuit breaker (its state is what metrics and health show). */
  readonly breaker: { readonly state: BreakerStateName };
  readonly #breaker: CircuitBreaker;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #gate: ConcurrencyGate;
  readonly #agents: CrmAgents = createAgents();
  readonly #closing = new AbortController();
  readonly #fetcher: CrmFetcher;
  #opts: CrmOptions;
  #template: CrmTemplate;
  #cache: Cache;
  readonly #counts: Record<CrmOutcome | 'noLookupKey', number> = { hit: 0, miss: 0, stale: 0, timeout: 0, error: 0, noLookupKey: 0 };

  /** Throws {@link CrmError} `crm.options-invalid` for unusable options. */
  constructor(opts: CrmOptions, deps: CrmDeps) {
    assertCrmOptions(opts);
    this.#opts = opts;
    this.#template = parseCrmTemplate(opts.url);
    this.#logger = deps.logger.child({ component: 'crm' });
    this.#now = deps.now ?? (() => performance.now());
    // Every call in flight listens for the close (and removes its listener when done): many
    // concurrent calls are normal here, not a leak.
    setMaxListeners(0, this.#closing.signal);
    this.#breaker = new CircuitBreaker(opts.circuitBreaker, { logger: this.#logger, now: this.#now });
    this.breaker = this.#breaker;
    this.#gate = new ConcurrencyGate(opts.maxConcurrent);
    this.#fetcher = new CrmFetcher({
      logger: this.#logger,
      breaker: this.#breaker,
      gate: this.#gate,
      agents: this.#agents,
      options: () => this.#opts,
      closing: this.#closing.signal,
      onCall: deps.onCall,
    });
    this.#cache = this.#newCache();
  }

  /** Looks one customer up; never rejects. */
  async lookup(ctx: CrmContext): Promise<CrmResult> {
    const startMs = this.#now();
    if (this.#closing.signal.aborted) return this.#finish(startMs, { outcome: 'error', error: 'closed' });
    const rendered = renderCrmLookup(this.#template, ctx);
    if (!rendered.ok) {
      this.#counts.noLookupKey += 1;
      const result = this.#finish(startMs, { outcome: 'error', error: rendered.reason });
      return rendered.placeholder === undefined ? result : { ...result, placeholder: rendered.placeholder };
    }
    const { url } = rendered;
    const cache = this.#cache;
    const staleBefore = cache.peek(url, { allowStale: true });
    const status: LRUCache.Status<string, CrmEntry, CallRecord> = {};
    const deadline = new AbortController();
    const ownRecord: CallRecord = { timedOut: false, deadline: deadline.signal };
    const timer = setTimeout(() => {
      deadline.abort();
    }, this.#opts.timeoutMs);
    let internalError = false;
    // Each fetch reports its own failure: only the one this lookup waits for may set the flag.
    let current = 0;
    const start = (): Promise<CrmEntry | undefined> => {
      const mine = ++current;
      return cache.fetch(url, { status, context: ownRecord, ttl: this.#opts.cache.ttlMs }).catch(() => {
        if (mine === current) internalError = true;
        return undefined;
      });
    };
    let fetching = start();
    // Read synchronously: a lookup that joined a call in flight shares that call's record.
    let call = this.#fetcher.callFor(url) ?? ownRecord;
    if (call !== ownRecord && call.timedOut && staleBefore === undefined) {
      // The call in flight already outlived an earlier lookup's deadline (a CRM request that
      // hangs) and there is nothing stale to answer with: joining it would fail this lookup at
      // once, and every retry of the conversation while it hangs (up to refreshTimeoutMs). A
      // fresh call is asked instead; the hung one runs out on its own, its late answer dropped.
      cache.delete(url);
      fetching = start();
      call = this.#fetcher.callFor(url) ?? ownRecord;
    }
    let settled: CrmEntry | undefined | typeof DEADLINE;
    try {
      // Joining a call that already outlived an earlier lookup's deadline: answer now (stale or
      // timeout) instead of waiting a second deadline for the same slow CRM.
      settled = call !== ownRecord && call.timedOut ? DEADLINE : await Promise.race([fetching, aborted(deadline.signal)]);
    } finally {
      clearTimeout(timer);
    }
    const verdict = classifyLookup({
      deadlinePassed: settled === DEADLINE,
      value: settled === DEADLINE ? undefined : settled,
      staleBefore,
      cacheFetch: status.fetch,
      call,
      internalError,
    });
    return this.#finish(startMs, verdict);
  }

  /** Counters by outcome, plus the state of calls, cache and breaker. */
  stats(): CrmStats {
    return {
      ...this.#counts,
      requests: this.#fetcher.dispatched,
      inFlight: this.#gate.active,
      queued: this.#gate.waiting,
      cacheSize: this.#cache.size,
      breaker: this.#breaker.state,
    };
  }

  /**
   * Applies reloaded options. The cache is kept (a new URL template simply yields new keys)
   * unless `cache.max` changed, which lru-cache cannot do in place. Throws for unusable options
   * and then keeps the old ones.
   */
  updateOptions(opts: CrmOptions): void {
    assertCrmOptions(opts);
    const template = parseCrmTemplate(opts.url);
    const rebuild = opts.cache.max !== this.#opts.cache.max;
    this.#opts = opts;
    this.#template = template;
    this.#gate.setLimit(opts.maxConcurrent);
    this.#breaker.configure(opts.circuitBreaker);
    if (rebuild) this.#cache = this.#newCache();
    this.#logger.info('crm options updated', { cacheRebuilt: rebuild });
  }

  /** Aborts calls in flight, refuses further lookups and closes every socket. */
  async close(): Promise<void> {
    this.#closing.abort();
    await this.#fetcher.drain();
    this.#agents.http.destroy();
    this.#agents.https.destroy();
  }

  #newCache(): Cache {
    return new LRUCache<string, CrmEntry, CallRecord>({
      max: this.#opts.cache.max,
      ttl: this.#opts.cache.ttlMs,
      // Exact expiry: the default 1 ms resolution caches "now" behind a timer.
      ttlResolution: 0,
      perf: { now: this.#now },
      fetchMethod: this.#fetcher.fetchMethod,
      allowStaleOnFetchRejection: true,
      allowStaleOnFetchAbort: true,
      ignoreFetchAbort: true,
    });
  }

  #finish(startMs: number, verdict: LookupVerdict): CrmResult {
    const latencyMs = Math.round(this.#now() - startMs);
    this.#counts[verdict.outcome] += 1;
    const entry = verdict.entry;
    const result: CrmResult = {
      outcome: verdict.outcome,
      found: entry?.found ?? false,
      latencyMs,
      ...(entry?.found === true ? { record: entry.record } : {}),
      ...(verdict.error === undefined ? {} : { error: verdict.error }),
    };
    this.#logger.debug('crm lookup', { outcome: result.outcome, found: result.found, latencyMs, error: result.error });
    return result;
  }
}

function aborted(signal: AbortSignal): Promise<typeof DEADLINE> {
  return new Promise((resolve) => {
    signal.addEventListener('abort', () => { resolve(DEADLINE); }, { once: true });
  });
}
