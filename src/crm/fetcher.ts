/**
 * The cache's `fetchMethod`: one CRM call behind the circuit breaker and the concurrency gate,
 * with its own hard time limit. The signal lru-cache hands in is the lookup's deadline: when it
 * fires the call goes on (so it can still refresh the cache) but counts as a failure for the
 * breaker, because a CRM slower than the lookup deadline is of no use to callers.
 */
import type { LRUCache } from 'lru-cache';
import type { Logger } from '../log.js';
import { interpretAnswer } from './answer.js';
import type { CircuitBreaker } from './breaker.js';
import type { CallRecord } from './classify.js';
import { CrmError, safeCause } from './errors.js';
import type { ConcurrencyGate } from './gate.js';
import { httpGet, type CrmAgents } from './http.js';
import { CRM_DEFAULTS, notFoundTtlMs, refreshTimeoutMs, type CrmOptions } from './options.js';
import type { CrmEntry, CrmFailure } from './types.js';

/** What the fetcher needs from its client. */
export interface FetcherDeps {
  readonly logger: Logger;
  readonly breaker: CircuitBreaker;
  readonly gate: ConcurrencyGate;
  readonly agents: CrmAgents;
  /** The current options (they change on a config reload). */
  readonly options: () => CrmOptions;
  /** Aborts every call when the client closes. */
  readonly closing: AbortSignal;
  /** Told how every call that reached the CRM ended (for metrics). */
  readonly onCall?: ((result: CrmCallResult, failure?: CrmFailure) => void) | undefined;
}

/** How one CRM call ended: a usable answer, a failure of the CRM, or an answer unusable for this customer. */
export type CrmCallResult = 'answered' | 'failed' | 'bad-answer';

/** Failures that are the CRM answering badly for one customer, not the CRM failing. */
const BAD_ANSWERS: ReadonlySet<CrmFailure> = new Set(['bad-response', 'too-large']);

/** Runs CRM calls for the cache and remembers what each one went through. */
export class CrmFetcher {
  readonly #deps: FetcherDeps;
  readonly #calls = new Map<string, CallRecord>();
  readonly #running = new Set<Promise<unknown>>();
  #dispatched = 0;

  constructor(deps: FetcherDeps) {
    this.#deps = deps;
  }

  /** HTTP requests sent so far. */
  get dispatched(): number {
    return this.#dispatched;
  }

  /** The record of the call in flight for `url`, for lookups that joined it. */
  callFor(url: string): CallRecord | undefined {
    return this.#calls.get(url);
  }

  /** Resolves once every call has ended (after `closing` aborted them, promptly). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.#running]);
  }

  /** The lru-cache `fetchMethod`; the first lookup's `context` becomes the call's record. */
  readonly fetchMethod: LRUCache.Fetcher<string, CrmEntry, CallRecord> = (url, _stale, { signal, options, context }) => {
    this.#calls.set(url, context);
    const call = this.#call(url, context.deadline ?? signal, context, options, signal);
    this.#running.add(call);
    const cleanup = (): void => {
      this.#running.delete(call);
      // Deferred: lru-cache stores the outcome a few microtasks after this promise settles, and a
      // lookup joining in between must still find the record.
      setImmediate(() => {
        if (this.#calls.get(url) === context) this.#calls.delete(url);
      });
    };
    call.then(cleanup, cleanup);
    return call;
  };

  async #call(
    url: string,
    deadline: AbortSignal,
    record: CallRecord,
    cacheOptions: LRUCache.FetcherFetchOptions<string, CrmEntry, CallRecord>,
    dropped: AbortSignal,
  ): Promise<CrmEntry | undefined> {
    const opts = this.#deps.options();
    const permit = this.#deps.breaker.tryAcquire();
    if (permit === undefined) {
      record.failure = 'circuit-open';
      throw new CrmError('circuit-open', 'CRM circuit breaker is open');
    }
    let dispatched = false;
    const onDeadline = (): void => {
      record.timedOut = true;
      if (dispatched) permit.settle('failure');
    };
    deadline.addEventListener('abort', onDeadline, { once: true });
    const limit = this.#limitSignal(refreshTimeoutMs(opts), dropped);
    let release: (() => void) | undefined;
    try {
      release = await this.#deps.gate.acquire(limit.signal);
      dispatched = true;
      this.#dispatched += 1;
      const answer = await httpGet(url, {
        headers: opts.headers,
        signal: limit.signal,
        agents: this.#deps.agents,
        maxBodyBytes: CRM_DEFAULTS.maxBodyBytes,
      });
      const verdict = interpretAnswer(answer.status, answer.body);
      if (!verdict.ok) throw new CrmError(verdict.failure, `CRM answer unusable (${verdict.failure})`);
      permit.settle('success');
      this.#deps.onCall?.('answered');
      // lru-cache stores the value with these options: a "not found" is only briefly fresh.
      if (!verdict.entry.found) cacheOptions.ttl = notFoundTtlMs(opts);
      return verdict.entry;
    } catch (err) {
      const failure = (err instanceof CrmError ? err.reason : undefined) ?? 'internal';
      record.failure = failure;
      const bad = BAD_ANSWERS.has(failure);
      permit.settle(!dispatched || failure === 'closed' ? 'release' : bad ? 'bad-answer' : 'failure');
      if (dispatched && failure !== 'closed') this.#deps.onCall?.(bad ? 'bad-answer' : 'failed', failure);
      this.#deps.logger.debug('crm call failed', { failure, afterDeadline: deadline.aborted });
      // lru-cache trap: a rejection after the lookup deadline has aborted the fetch leaves the
      // settled fetch pinned in the cache (the key would never be fetched again). Resolving
      // undefined makes it put back the stale value, or drop the key.
      if (deadline.aborted) return undefined;
      throw err instanceof CrmError ? err : new CrmError('internal', 'CRM call failed', { cause: safeCause(err) });
    } finally {
      release?.();
      limit.dispose();
      deadline.removeEventListener('abort', onDeadline);
    }
  }

  /**
   * A signal that aborts after `ms` (reason `timeout`), when the cache dropped the pending value
   * (`dropped`: a retry replaced a hung call, whose answer nobody would read; also `timeout`), or
   * when the client closes (`closed`).
   */
  #limitSignal(ms: number, dropped: AbortSignal): { signal: AbortSignal; dispose: () => void } {
    const controller = new AbortController();
    const { closing } = this.#deps;
    const onClose = (): void => {
      controller.abort(new CrmError('closed', 'CRM client closed'));
    };
    const onDropped = (): void => {
      controller.abort(new CrmError('timeout', 'CRM call dropped by the cache after its deadline'));
    };
    if (dropped.aborted) onDropped();
    else dropped.addEventListener('abort', onDropped, { once: true });
    const timer = setTimeout(() => {
      controller.abort(new CrmError('timeout', `CRM call exceeded ${ms} ms`));
    }, ms);
    if (closing.aborted) onClose();
    else closing.addEventListener('abort', onClose, { once: true });
    return {
      signal: controller.signal,
      dispose: () => {
        clearTimeout(timer);
        closing.removeEventListener('abort', onClose);
        dropped.removeEventListener('abort', onDropped);
      },
    };
  }
}
