/**
 * The retry decision for one failed Genesys call: pure, table-tested. A retry sends the same
 * request again (the caller runs the same SDK call), so it is only safe when a second copy cannot
 * do harm or the first is known not to have landed.
 */
import { GenesysApiError, GenesysNetworkError, type GenesysError } from './errors.js';

export interface RetryPolicy {
  /** Attempts in all (the first try included) for 5xx and network errors. */
  readonly maxAttempts: number;
  /** Backoff before the first retry (it doubles with each further failure, with full jitter). */
  readonly baseDelayMs: number;
  /** Longest backoff between two attempts. */
  readonly maxDelayMs: number;
  /**
   * 429s tolerated per call, counted apart from other failures: a 429 says "later", not "broken",
   * so a call keeps its place through several bursts (each waits Retry-After).
   */
  readonly maxRateLimitAttempts: number;
}

/** Defaults of {@link RetryPolicy}. */
export const RETRY_DEFAULTS = {
  maxAttempts: 4,
  baseDelayMs: 250,
  maxDelayMs: 8_000,
  maxRateLimitAttempts: 30,
} as const satisfies RetryPolicy;

export type RetryDecision =
  | { readonly retry: false }
  | { readonly retry: true; readonly delayMs: number; readonly pause: boolean; readonly relogin: boolean };

/** How often one call has failed so far, by kind. */
export interface FailureCounts {
  /** Failures other than 429 (5xx, 408, network, 401), this one included when it is one. */
  readonly failures: number;
  /** 429 answers, this one included when it is one. */
  readonly rateLimited: number;
}

/** What one call allows beyond the policy. */
export interface RetryScope {
  /**
   * False: a network error (timeout, reset) ends the call instead of sending it again, since the
   * request may have landed and a second copy could double it; its caller decides (the attribute
   * PATCH reads the conversation back first). Default true.
   */
  readonly retryUnknownOutcome?: boolean;
}

/** The counts after one more failure with `error`: 429s apart from every other failure. */
export function countFailure(counts: FailureCounts, error: GenesysError): FailureCounts {
  return error instanceof GenesysApiError && error.status === 429
    ? { failures: counts.failures, rateLimited: counts.rateLimited + 1 }
    : { failures: counts.failures + 1, rateLimited: counts.rateLimited };
}

/** No failure yet. */
export const NO_FAILURES: FailureCounts = { failures: 0, rateLimited: 0 };

/**
 * What to do after a failure with `error`, given the call's failure counts (this one included).
 * - 429: wait Retry-After (or a backoff); the caller pauses the endpoint family (pauses.ts).
 * - 401: log in again once, then retry at once.
 * - 5xx, 408 and network errors: full-jitter exponential backoff, bounded by `maxAttempts`.
 * - network errors when the scope forbids retrying an unknown outcome: do not retry.
 * - any other 4xx: do not retry; it will not get better.
 * Every 4xx and 5xx answer is a known outcome: Genesys refused the request.
 */
export function decideRetry(
  error: GenesysError,
  counts: FailureCounts,
  policy: RetryPolicy,
  random: () => number = Math.random,
  scope: RetryScope = {},
): RetryDecision {
  const attempt = counts.failures;
  if (error instanceof GenesysApiError) {
    if (error.status === 429) {
      if (counts.rateLimited >= policy.maxRateLimitAttempts) return { retry: false };
      const delayMs = error.retryAfterMs ?? backoff(counts.rateLimited, policy, random);
      return { retry: true, delayMs, pause: true, relogin: false };
    }
    if (error.status === 401) {
      return attempt === 1 ? { retry: true, delayMs: 0, pause: false, relogin: true } : { retry: false };
    }
    if (error.status < 500 && error.status !== 408) return { retry: false };
  }
  if (attempt >= policy.maxAttempts) return { retry: false };
  if (error instanceof GenesysNetworkError && scope.retryUnknownOutcome === false) return { retry: false };
  return { retry: true, delayMs: backoff(attempt, policy, random), pause: false, relogin: false };
}

function backoff(attempt: number, policy: RetryPolicy, random: () => number): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  // Full jitter spreads retries of many callers apart; keep a floor so a retry is never instant.
  return Math.round(cap / 2 + (random() * cap) / 2);
}
