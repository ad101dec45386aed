import { describe, expect, it } from 'vitest';
import { CrmClient } from '../../../src/crm/client.js';
import { CrmError } from '../../../src/crm/errors.js';
import { checkCrmOptions, notFoundTtlMs, refreshTimeoutMs, type CrmOptions } from '../../../src/crm/options.js';
import { silentLogger } from '../../../src/log.js';

const valid: CrmOptions = {
  url: 'https://crm.example/customers?phone={phone}',
  headers: { Authorization: 'Bearer abc' },
  timeoutMs: 500,
  maxConcurrent: 4,
  cache: { max: 100, ttlMs: 60_000, notFoundTtlMs: 5_000 },
  circuitBreaker: { failureThreshold: 5, openMs: 10_000 },
};

describe('checkCrmOptions', () => {
  it.each<[string, Partial<CrmOptions>, RegExp | undefined]>([
    ['valid', {}, undefined],
    ['bad template', { url: 'https://crm.example/{nope}' }, /^url: unknown placeholder/],
    ['zero timeout', { timeoutMs: 0 }, /timeoutMs: must be an integer >= 1/],
    ['fractional concurrency', { maxConcurrent: 1.5 }, /maxConcurrent/],
    ['negative-cache off is fine', { cache: { max: 1, ttlMs: 1, notFoundTtlMs: 0 } }, undefined],
    ['zero cache size', { cache: { max: 0, ttlMs: 1, notFoundTtlMs: 0 } }, /cache.max/],
    ['zero threshold', { circuitBreaker: { failureThreshold: 0, openMs: 1 } }, /failureThreshold/],
    ['refresh limit below the lookup timeout', { refreshTimeoutMs: 100 }, /refreshTimeoutMs: must be an integer >= 500/],
    ['bad header name', { headers: { 'bad header': 'x' } }, /headers.bad header/],
  ])('%s', (_name, patch, problem) => {
    const problems = checkCrmOptions({ ...valid, ...patch });
    if (problem === undefined) expect(problems).toEqual([]);
    else expect(problems.join('; ')).toMatch(problem);
  });

  it('names a bad header but never quotes its value', () => {
    const value = 'Bearer s3cr3t-token\r\nX-Evil: 1';
    const problems = checkCrmOptions({ ...valid, headers: { Authorization: value } });
    expect(problems).toEqual(['headers.Authorization: not a valid HTTP header']);
    let thrown: unknown;
    try {
      new CrmClient({ ...valid, headers: { Authorization: value } }, { logger: silentLogger });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(CrmError);
    expect((thrown as CrmError).code).toBe('crm.options-invalid');
    expect(JSON.stringify({ message: (thrown as CrmError).message, cause: (thrown as CrmError).cause })).not.toContain('s3cr3t');
  });

  it('derives the call limit and the not-found TTL', () => {
    expect(refreshTimeoutMs(valid)).toBe(2_500);
    expect(refreshTimeoutMs({ ...valid, refreshTimeoutMs: 900 })).toBe(900);
    expect(notFoundTtlMs(valid)).toBe(5_000);
    expect(notFoundTtlMs({ ...valid, cache: { ...valid.cache, notFoundTtlMs: 0 } })).toBe(1);
  });
});
