import { describe, expect, it } from 'vitest';
import { GenesysApiError, GenesysNetworkError } from '../../../src/genesys/errors.js';
import { countFailure, decideRetry, NO_FAILURES, RETRY_DEFAULTS } from '../../../src/genesys/retry.js';

const api = (status: number, retryAfterMs?: number) => new GenesysApiError('E', status, undefined, undefined, retryAfterMs, 'm');
const net = new GenesysNetworkError('E', 'ECONNRESET');
const mid = () => 0.5;

describe('decideRetry', () => {
  it.each([
    ['429 with Retry-After pauses its family for it', api(429, 3000), [0, 1], { retry: true, delayMs: 3000, pause: true, relogin: false }],
    ['429 without Retry-After backs off', api(429), [0, 1], { retry: true, delayMs: 188, pause: true, relogin: false }],
    ['429 past its budget gives up', api(429, 1000), [0, RETRY_DEFAULTS.maxRateLimitAttempts], { retry: false }],
    ['429s do not use up the budget of other failures', api(429, 1000), [RETRY_DEFAULTS.maxAttempts, 5], { retry: true, delayMs: 1000, pause: true, relogin: false }],
    ['401 first time re-logs in', api(401), [1, 0], { retry: true, delayMs: 0, pause: false, relogin: true }],
    ['401 twice gives up', api(401), [2, 0], { retry: false }],
    ['404 is final', api(404), [1, 0], { retry: false }],
    ['400 is final', api(400), [1, 0], { retry: false }],
    ['503 retries with backoff', api(503), [1, 0], { retry: true, delayMs: 188, pause: false, relogin: false }],
    ['503 after several 429s still retries', api(503), [1, 6], { retry: true, delayMs: 188, pause: false, relogin: false }],
    ['500 on attempt 3 waits longer', api(500), [3, 0], { retry: true, delayMs: 750, pause: false, relogin: false }],
    ['408 retries', api(408), [1, 0], { retry: true, delayMs: 188, pause: false, relogin: false }],
    ['network error retries', net, [2, 0], { retry: true, delayMs: 375, pause: false, relogin: false }],
    ['network error past the budget gives up', net, [RETRY_DEFAULTS.maxAttempts, 0], { retry: false }],
  ] as const)('%s', (_name, error, [failures, rateLimited], expected) => {
    expect(decideRetry(error, { failures, rateLimited }, RETRY_DEFAULTS, mid)).toEqual(expected);
  });

  it('never waits longer than maxDelayMs', () => {
    const d = decideRetry(api(500), { failures: 3, rateLimited: 0 }, { ...RETRY_DEFAULTS, maxAttempts: 99 }, () => 0.999);
    expect(d.retry && d.delayMs).toBeLessThanOrEqual(RETRY_DEFAULTS.maxDelayMs);
    const far = decideRetry(api(500), { failures: 30, rateLimited: 0 }, { ...RETRY_DEFAULTS, maxAttempts: 99 }, () => 0.999);
    expect(far.retry && far.delayMs).toBeLessThanOrEqual(RETRY_DEFAULTS.maxDelayMs);
  });
});

describe('decideRetry and an unknown outcome', () => {
  const noUnknown = { retryUnknownOutcome: false } as const;
  it.each([
    ['a network error is not sent again: the first may have landed', net, noUnknown, { retry: false }],
    ['a network error is sent again when the call allows it', net, {}, { retry: true, delayMs: 188, pause: false, relogin: false }],
    ['a 503 is a known outcome: sent again', api(503), noUnknown, { retry: true, delayMs: 188, pause: false, relogin: false }],
    ['a 429 is a known outcome: paused and sent again', api(429, 500), noUnknown, { retry: true, delayMs: 500, pause: true, relogin: false }],
    ['a 401 is a known outcome: re-login and sent again', api(401), noUnknown, { retry: true, delayMs: 0, pause: false, relogin: true }],
  ] as const)('%s', (_name, error, scope, expected) => {
    const counts = countFailure(NO_FAILURES, error);
    expect(decideRetry(error, counts, RETRY_DEFAULTS, mid, scope)).toEqual(expected);
  });
});

describe('countFailure', () => {
  it.each([
    ['a 429 counts apart', api(429), { failures: 1, rateLimited: 3 }],
    ['a 503 counts as a failure', api(503), { failures: 2, rateLimited: 2 }],
    ['a 401 counts as a failure', api(401), { failures: 2, rateLimited: 2 }],
    ['a network error counts as a failure', net, { failures: 2, rateLimited: 2 }],
  ] as const)('%s', (_name, error, expected) => {
    expect(countFailure({ failures: 1, rateLimited: 2 }, error)).toEqual(expected);
  });
});
