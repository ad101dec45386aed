/**
 * A retry after a lookup whose CRM request hangs: with nothing stale to answer, it must not join
 * the hung request (that fails it at once, and every retry until refreshTimeoutMs), but ask anew.
 */
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

describe('CrmClient: a retry after a hung request', () => {
  it('asks the CRM again instead of joining the request that already timed out', async () => {
    ({ client } = makeClient(crmOptions(crm.template, { timeoutMs: 100, refreshTimeoutMs: 30_000 })));
    const phone = phoneKey();
    crm.setTimeoutRate(1);
    expect(await client.lookup(ctx({ phone }))).toMatchObject({ outcome: 'timeout', error: 'timeout' });
    expect(crm.inFlight()).toBe(1);
    crm.setTimeoutRate(0);
    // The first request still hangs (for up to 30 s): the retry gets its own, answered one.
    expect(await client.lookup(ctx({ phone }))).toMatchObject({ outcome: 'miss', found: true, record: customerRecord(phone) });
    expect(crm.requests()).toBe(2);
    // Later lookups are served by the cache the fresh answer filled.
    expect(await client.lookup(ctx({ phone }))).toMatchObject({ outcome: 'hit', record: customerRecord(phone) });
    // The hung request is dropped at once (its answer would be thrown away): its slot is free
    // long before refreshTimeoutMs.
    await waitFor(() => client!.stats().inFlight === 0, { timeoutMs: 5_000, what: 'the hung call to release its slot' });
  });

  it('still answers at once from a stale value while a refresh hangs', async () => {
    const clock = new ManualClock();
    ({ client } = makeClient(crmOptions(crm.template, { timeoutMs: 100, refreshTimeoutMs: 30_000, cache: { max: 100, ttlMs: 1_000, notFoundTtlMs: 10 } }), clock));
    const phone = phoneKey();
    expect(await client.lookup(ctx({ phone }))).toMatchObject({ outcome: 'miss' });
    clock.advance(1_001);
    crm.setTimeoutRate(1);
    expect(await client.lookup(ctx({ phone }))).toMatchObject({ outcome: 'stale', error: 'timeout' });
    expect(await client.lookup(ctx({ phone }))).toMatchObject({ outcome: 'stale', record: customerRecord(phone) });
    expect(crm.requests()).toBe(2);
  });
});
