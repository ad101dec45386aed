import { describe, expect, it } from 'vitest';
import { classifyLookup, type LookupObservation, type LookupVerdict } from '../../../src/crm/classify.js';
import type { CrmEntry } from '../../../src/crm/types.js';

const fresh: CrmEntry = { found: true, record: { v: 2 } };
const old: CrmEntry = { found: true, record: { v: 1 } };
const base: LookupObservation = {
  deadlinePassed: false,
  value: undefined,
  staleBefore: undefined,
  cacheFetch: undefined,
  call: undefined,
  internalError: false,
};

describe('classifyLookup', () => {
  it.each<[string, Partial<LookupObservation>, LookupVerdict]>([
    ['fresh entry', { value: old, staleBefore: old, cacheFetch: 'hit' }, { outcome: 'hit', entry: old }],
    ['fetched now', { value: fresh, cacheFetch: 'miss', call: { timedOut: false } }, { outcome: 'miss', entry: fresh }],
    ['joined a call that succeeded', { value: fresh, cacheFetch: 'inflight' }, { outcome: 'miss', entry: fresh }],
    ['refreshed a stale entry', { value: fresh, staleBefore: old, cacheFetch: 'stale' }, { outcome: 'miss', entry: fresh }],
    ['CRM failed, stale served', { value: old, staleBefore: old, cacheFetch: 'stale', call: { timedOut: false, failure: 'http-503' } }, { outcome: 'stale', entry: old, error: 'http-503' }],
    ['circuit open, stale served', { value: old, staleBefore: old, cacheFetch: 'stale', call: { timedOut: false, failure: 'circuit-open' } }, { outcome: 'stale', entry: old, error: 'circuit-open' }],
    ['joined a call already past its deadline', { value: old, staleBefore: old, cacheFetch: 'inflight', call: { timedOut: true } }, { outcome: 'stale', entry: old, error: 'timeout' }],
    ['deadline won, stale served', { deadlinePassed: true, staleBefore: old }, { outcome: 'stale', entry: old, error: 'timeout' }],
    ['deadline won, nothing cached', { deadlinePassed: true }, { outcome: 'timeout', error: 'timeout' }],
    ['joined a slow call, nothing cached', { cacheFetch: 'inflight', call: { timedOut: true } }, { outcome: 'timeout', error: 'timeout' }],
    ['CRM failed, nothing cached', { cacheFetch: 'miss', call: { timedOut: false, failure: 'network' } }, { outcome: 'error', error: 'network' }],
    ['call hit its hard limit', { cacheFetch: 'miss', call: { timedOut: true, failure: 'timeout' } }, { outcome: 'timeout', error: 'timeout' }],
    ['circuit open, nothing cached', { cacheFetch: 'miss', call: { timedOut: false, failure: 'circuit-open' } }, { outcome: 'error', error: 'circuit-open' }],
    ['cache bug with a stale entry', { internalError: true, staleBefore: old }, { outcome: 'stale', entry: old, error: 'internal' }],
    ['cache bug', { internalError: true }, { outcome: 'error', error: 'internal' }],
  ])('%s', (_name, observed, expected) => {
    expect(classifyLookup({ ...base, ...observed })).toEqual(expected);
  });
});
