import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CrmClient } from '../../../src/crm/client.js';
import { customerRecord } from '../../../src/sandbox/crm/records.js';
import { startFakeCrm, type FakeCrm } from '../../../src/sandbox/crm/server.js';
import { waitFor } from '../../helpers/wait-for.js';
import { crmOptions, ctx, makeClient, ManualClock, phoneKey } from './setup.js';

let crm: FakeCrm;
let client: CrmClient | undefined;

beforeEach(async () => {
  crm = await startFakeCrm();
});
afterEach(async () => {
  await client?.close();
  client = undefined;
  await crm.stop();
});

function elapsed(since: number): number {
  return performance.now() - since;
}

describe('CrmClient against the fake CRM: cache', () => {
  it('misses, then hits from the cache, for phone and for e-mail lookups', async () => {
    ({ client } = makeClient(crmOptions(crm.template)));
    const phone = phoneKey();
    const first = await client.lookup(ctx({ phone }));
    expect(first).toMatchObject({ outcome: 'miss', found: true, record: customerRecord(phone) });
    expect(first.error).toBeUndefined();
    const second = await client.lookup(ctx({ phone }));
    expect(second).toMatchObject({ outcome: 'hit', found: true, record: customerRecord(phone) });
    const email = 'someone@example.com';
    expect(await client.lookup(ctx({ email }))).toMatchObject({ outcome: 'miss', record: customerRecord(email) });
    expect(crm.requests()).toBe(2);
    expect(client.stats()).toMatchObject({ hit: 1, miss: 2, requests: 2, cacheSize: 2 });
  });

  it('skips a conversation without phone or e-mail, without a request', async () => {
    ({ client } = makeClient(crmOptions(crm.template)));
    expect(await client.lookup(ctx({}))).toMatchObject({ outcome: 'error', found: false, error: 'no-lookup-key' });
    expect(crm.requests()).toBe(0);
    expect(client.stats()).toMatchObject({ error: 1, noLookupKey: 1 });
  });

  it('coalesces 10 concurrent lookups of one key into one request', async () => {
    ({ client } = makeClient(crmOptions(crm.template)));
    crm.setLatency(30);
    const phone = phoneKey();
    const results = await Promise.all(Array.from({ length: 10 }, () => client!.lookup(ctx({ phone }))));
    expect(crm.requests()).toBe(1);
    expect(results.map((r) => r.outcome)).toEqual(Array(10).fill('miss'));
    expect(new Set(results.map((r) => r.record)).size).toBe(1);
  });

  it('remembers "not found" only for notFoundTtlMs, then asks again', async () => {
    const clock = new ManualClock();
    ({ client } = makeClient(crmOptions(crm.template, { cache: { max: 100, ttlMs: 60_000, notFoundTtlMs: 500 } }), clock));
    const phone = phoneKey(false);
    expect(await client.lookup(ctx({ phone }))).toMatchObject({ outcome: 'miss', found: false });
    clock.advance(499);
    expect(await client.lookup(ctx({ phone }))).toMatchObject({ outcome: 'hit', found: false });
    expect(crm.requests()).toBe(1);
    clock.advance(2);
    crm.setRecord(phone, { id: 'NEW' });
    expect(await client.lookup(ctx({ phone }))).toMatchObject({ outcome: 'miss', found: true, record: { id: 'NEW' } });
    expect(crm.requests()).toBe(2);
  });

  it('keeps found records for ttlMs', async () => {
    const clock = new ManualClock();
    ({ client } = makeClient(crmOptions(crm.template, { cache: { max: 100, ttlMs: 1_000, notFoundTtlMs: 10 } }), clock));
    const phone = phoneKey();
    await client.lookup(ctx({ phone }));
    clock.advance(999);
    expect((await client.lookup(ctx({ phone }))).outcome).toBe('hit');
    clock.advance(2);
    expect((await client.lookup(ctx({ phone }))).outcome).toBe('miss');
    expect(crm.requests()).toBe(2);
  });

  it('reports a 2xx body that is not JSON as bad-response, and does not cache it', async () => {
    ({ client } = makeClient(crmOptions(crm.template)));
    const phone = phoneKey();
    crm.setRaw(phone, '<html>Service temporarily unavailable</html>');
    expect(await client.lookup(ctx({ phone }))).toMatchObject({ outcome: 'error', found: false, error: 'bad-response' });
    expect(await client.lookup(ctx({ phone }))).toMatchObject({ outcome: 'error', error: 'bad-response' });
    expect(crm.requests()).toBe(2);
  });

  it('serves the stale value when the CRM answers 5xx', async () => {
    const clock = new ManualClock();
    ({ client } = makeClient(crmOptions(crm.template, { cache: { max: 100, ttlMs: 1_000, notFoundTtlMs: 10 } }), clock));
    const phone = phoneKey();
    await client.lookup(ctx({ phone }));
    clock.advance(1_001);
    crm.failNext(1, 503);
    expect(await client.lookup(ctx({ phone }))).toMatchObject({ outcome: 'stale', found: true, record: customerRecord(phone), error: 'http-503' });
    crm.setRecord(phone, { id: 'FRESH' });
    expect(await client.lookup(ctx({ phone }))).toMatchObject({ outcome: 'miss', record: { id: 'FRESH' } });
    expect(crm.requests()).toBe(3);
  });

  it('fails with an error code and no value when nothing is cached and the CRM fails', async () => {
    ({ client } = makeClient(crmOptions(crm.template)));
    crm.failNext(1, 500);
    expect(await client.lookup(ctx({ phone: phoneKey() }))).toEqual(expect.objectContaining({ outcome: 'error', found: false, error: 'http-500' }));
  });

  it('answers stale near timeoutMs when the CRM is slow, and the slow answer refreshes the cache later', async () => {
    const clock = new ManualClock();
    ({ client } = makeClient(crmOptions(crm.template, { timeoutMs: 150, refreshTimeoutMs: 5_000, cache: { max: 100, ttlMs: 1_000, notFoundTtlMs: 10 } }), clock));
    const phone = phoneKey();
    await client.lookup(ctx({ phone }));
    clock.advance(1_001);
    crm.setRecord(phone, { id: 'REFRESHED' });
    // Far slower than timeoutMs, so "answered near timeoutMs" and "did not wait for the CRM" differ
    // by seconds, not milliseconds, on a machine shared with other tests.
    crm.setLatency(4_000);
    const started = performance.now();
    const result = await client.lookup(ctx({ phone }));
    const took = elapsed(started);
    expect(result).toMatchObject({ outcome: 'stale', found: true, record: customerRecord(phone), error: 'timeout' });
    expect(took).toBeGreaterThanOrEqual(145);
    expect(took).toBeLessThan(3_000);
    // A lookup while the slow call is still out answers stale at once instead of waiting again:
    // it comes back while that call is still in flight, without a second request.
    expect(await client.lookup(ctx({ phone }))).toMatchObject({ outcome: 'stale', error: 'timeout' });
    expect(crm.inFlight()).toBe(1);
    expect(crm.requests()).toBe(2);
    await waitFor(() => crm.inFlight() === 0 && client!.stats().inFlight === 0, { timeoutMs: 10_000, what: 'the slow call to finish' });
    crm.setLatency(0);
    expect(await client.lookup(ctx({ phone }))).toMatchObject({ outcome: 'hit', record: { id: 'REFRESHED' } });
    expect(crm.requests()).toBe(2);
  });

  it('times out near timeoutMs with no stale value, and the late answer still fills the cache', async () => {
    ({ client } = makeClient(crmOptions(crm.template, { timeoutMs: 100, refreshTimeoutMs: 10_000 })));
    crm.setLatency(4_000);
    const phone = phoneKey();
    const started = performance.now();
    const result = await client.lookup(ctx({ phone }));
    const took = elapsed(started);
    expect(result).toEqual({ outcome: 'timeout', found: false, latencyMs: expect.any(Number) as number, error: 'timeout' });
    expect(took).toBeGreaterThanOrEqual(95);
    expect(took).toBeLessThan(3_000);
    expect(result.latencyMs).toBeGreaterThanOrEqual(95);
    await waitFor(() => client!.stats().inFlight === 0, { timeoutMs: 10_000, what: 'the slow call to finish' });
    expect(await client.lookup(ctx({ phone }))).toMatchObject({ outcome: 'hit', record: customerRecord(phone) });
    expect(crm.requests()).toBe(1);
  });

  it('asks again after a call that failed past the lookup deadline (no entry stays pinned)', async () => {
    const clock = new ManualClock();
    ({ client } = makeClient(crmOptions(crm.template, { timeoutMs: 60, cache: { max: 100, ttlMs: 1_000, notFoundTtlMs: 10 } }), clock));
    const cached = phoneKey();
    const uncached = phoneKey();
    await client.lookup(ctx({ phone: cached }));
    clock.advance(1_001);
    crm.setLatency(150);
    crm.failNext(2, 503);
    const [a, b] = await Promise.all([client.lookup(ctx({ phone: cached })), client.lookup(ctx({ phone: uncached }))]);
    expect(a).toMatchObject({ outcome: 'stale', error: 'timeout' });
    expect(b).toMatchObject({ outcome: 'timeout' });
    await waitFor(() => client!.stats().inFlight === 0 && crm.inFlight() === 0, { what: 'the failing calls to end' });
    crm.setLatency(0);
    expect(await client.lookup(ctx({ phone: cached }))).toMatchObject({ outcome: 'miss', record: customerRecord(cached) });
    expect(await client.lookup(ctx({ phone: uncached }))).toMatchObject({ outcome: 'miss', record: customerRecord(uncached) });
    expect(crm.requests()).toBe(5);
  });

  it('abandons a call at refreshTimeoutMs, freeing its slot, and asks again next time', async () => {
    ({ client } = makeClient(crmOptions(crm.template, { timeoutMs: 50, refreshTimeoutMs: 150, maxConcurrent: 1 })));
    crm.setTimeoutRate(1);
    const phone = phoneKey();
    expect((await client.lookup(ctx({ phone }))).outcome).toBe('timeout');
    expect(client.stats().inFlight).toBe(1);
    await waitFor(() => client!.stats().inFlight === 0, { what: 'the hard limit to end the call' });
    crm.setTimeoutRate(0);
    expect(await client.lookup(ctx({ phone }))).toMatchObject({ outcome: 'miss', record: customerRecord(phone) });
    expect(crm.requests()).toBe(2);
  });

  it('refuses lookups after close and closes hanging calls promptly', async () => {
    ({ client } = makeClient(crmOptions(crm.template, { timeoutMs: 50 })));
    crm.setTimeoutRate(1);
    expect((await client.lookup(ctx({ phone: phoneKey() }))).outcome).toBe('timeout');
    expect(client.stats().inFlight).toBe(1);
    const started = performance.now();
    await client.close();
    // The calls hang forever: any bound proves the close did not wait for them.
    expect(elapsed(started)).toBeLessThan(2_000);
    expect(client.stats().inFlight).toBe(0);
    expect(await client.lookup(ctx({ phone: phoneKey() }))).toMatchObject({ outcome: 'error', error: 'closed' });
  });
});
