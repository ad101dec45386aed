/**
 * Turns what the cache did for one lookup into an outcome. lru-cache reports little to callers
 * that joined someone else's fetch, so the outcome is read from value identity (the same object
 * as the stale entry seen before the lookup = stale) plus the record of the call behind it.
 */
import type { CrmEntry, CrmFailure, CrmOutcome } from './types.js';

/** What one CRM call (shared by every lookup it serves) went through. */
export interface CallRecord {
  /** The lookup deadline passed while the call was still queued or running. */
  timedOut: boolean;
  /** Why the call failed, once it did. */
  failure?: CrmFailure;
  /**
   * The deadline of the lookup that started the call. Handed over here rather than as the
   * `signal` of `cache.fetch()`: lru-cache keeps a listener on that signal, which held every
   * lookup's objects in memory (about 4 KB per CRM request, measured by the memory benchmark).
   */
  deadline?: AbortSignal;
}

/** Everything a lookup observed. */
export interface LookupObservation {
  /** Our own deadline won the race against the cache. */
  readonly deadlinePassed: boolean;
  /** The cache's answer (undefined when it had none, or when the deadline won). */
  readonly value: CrmEntry | undefined;
  /** The expired entry present before the lookup started, if any. */
  readonly staleBefore: CrmEntry | undefined;
  /** lru-cache's `status.fetch`: `hit` means a fresh entry was returned without a call. */
  readonly cacheFetch: string | undefined;
  /** The call this lookup started or joined, if any. */
  readonly call: Readonly<CallRecord> | undefined;
  /** The cache threw (a bug, never the CRM). */
  readonly internalError: boolean;
}

/** The lookup's verdict. */
export interface LookupVerdict {
  readonly outcome: CrmOutcome;
  readonly entry?: CrmEntry;
  readonly error?: CrmFailure;
}

function orStale(obs: LookupObservation, error: CrmFailure, otherwise: CrmOutcome): LookupVerdict {
  return obs.staleBefore === undefined ? { outcome: otherwise, error } : { outcome: 'stale', entry: obs.staleBefore, error };
}

/** Decides hit / miss / stale / timeout / error for one lookup. */
export function classifyLookup(obs: LookupObservation): LookupVerdict {
  if (obs.internalError) return orStale(obs, 'internal', 'error');
  if (obs.deadlinePassed) return orStale(obs, 'timeout', 'timeout');
  const failure = obs.call?.failure ?? (obs.call?.timedOut === true ? 'timeout' : 'internal');
  if (obs.value === undefined) return orStale(obs, failure, failure === 'timeout' ? 'timeout' : 'error');
  if (obs.cacheFetch === 'hit') return { outcome: 'hit', entry: obs.value };
  if (obs.value !== obs.staleBefore) return { outcome: 'miss', entry: obs.value };
  return { outcome: 'stale', entry: obs.value, error: failure };
}
