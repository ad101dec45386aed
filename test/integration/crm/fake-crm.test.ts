import { afterEach, describe, expect, it } from 'vitest';
import { CustomerDirectory } from '../../../src/sandbox/crm/directory.js';
import { customerRecord, entityRecord } from '../../../src/sandbox/crm/records.js';
import { startFakeCrm, type FakeCrm } from '../../../src/sandbox/crm/server.js';
import { waitFor } from '../../helpers/wait-for.js';
import { phoneKey } from './setup.js';

let crm: FakeCrm | undefined;
afterEach(async () => {
  await crm?.stop();
  crm = undefined;
});

async function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${crm!.url}${path}`, { headers });
  const text = await res.text();
  return { status: res.status, body: text.startsWith('{') ? JSON.parse(text) : text };
}

describe('the fake CRM', () => {
  it('answers the deterministic record by phone or e-mail, 404 for unknown keys, 400 without a key', async () => {
    crm = await startFakeCrm({ seed: 7 });
    const phone = '+49 30 1234567';
    const known = Array.from({ length: 50 }, (_, i) => `k${i}@example.com`).find((k) => customerRecord(k, 7) !== undefined)!;
    const unknown = Array.from({ length: 200 }, (_, i) => `u${i}@example.com`).find((k) => customerRecord(k, 7) === undefined)!;
    const byPhone = await get(`/customers?phone=${encodeURIComponent(phone)}&email=`);
    expect(byPhone.status).toBe(customerRecord(phone, 7) === undefined ? 404 : 200);
    if (byPhone.status === 200) expect(byPhone.body).toEqual(customerRecord(phone, 7));
    expect(await get(`/customers?phone=&email=${encodeURIComponent(known)}`)).toEqual({ status: 200, body: customerRecord(known, 7) });
    expect((await get(`/customers?email=${encodeURIComponent(unknown)}`)).status).toBe(404);
    expect((await get('/customers?phone=&email=')).status).toBe(400);
    expect(crm.template).toBe(`${crm.url}/customers?phone={phone?}&email={email?}`);
    expect(crm.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(crm.requests()).toBe(4);
  });

  it('requires the bearer token when started with one', async () => {
    crm = await startFakeCrm({ token: 'abc' });
    const phone = encodeURIComponent(phoneKey());
    expect((await get(`/customers?phone=${phone}`)).status).toBe(401);
    expect((await get(`/customers?phone=${phone}`, { authorization: 'Bearer abd' })).status).toBe(401);
    expect((await get(`/customers?phone=${phone}`, { authorization: 'Bearer abc' })).status).toBe(200);
  });

  it('injects failures, overrides and raw bodies, and reset() undoes them', async () => {
    crm = await startFakeCrm();
    const phone = phoneKey();
    const q = `/customers?phone=${encodeURIComponent(phone)}`;
    crm.failNext(2, 502);
    expect((await get(q)).status).toBe(502);
    expect((await get(q)).status).toBe(502);
    expect((await get(q)).status).toBe(200);
    crm.setErrorRate(1);
    expect((await get(q)).status).toBe(500);
    crm.setErrorRate(0);
    crm.setRecord(phone, { id: 'X' });
    expect(await get(q)).toEqual({ status: 200, body: { id: 'X' } });
    crm.setNotFound(phone);
    expect((await get(q)).status).toBe(404);
    crm.setRaw(phone, '<html>down</html>');
    expect(await get(q)).toEqual({ status: 200, body: '<html>down</html>' });
    crm.reset();
    expect(crm.requests()).toBe(0);
    expect(await get(q)).toEqual({ status: 200, body: customerRecord(phone) });
  });

  it('delays answers, counts concurrency, and stop() closes hanging requests promptly', async () => {
    crm = await startFakeCrm({ latencyMs: 200 });
    const phone = encodeURIComponent(phoneKey());
    const started = performance.now();
    await Promise.all([1, 2, 3].map(() => get(`/customers?phone=${phone}`)));
    expect(performance.now() - started).toBeGreaterThanOrEqual(195);
    expect(crm.peakConcurrency()).toBe(3);
    crm.setTimeoutRate(1);
    const hanging = fetch(`${crm.url}/customers?phone=${phone}`).then(
      () => 'answered',
      () => 'closed',
    );
    await waitFor(() => crm!.inFlight() === 1, { what: 'the hanging request' });
    const stopping = performance.now();
    await crm.stop();
    crm = undefined;
    expect(await hanging).toBe('closed');
    // The request hangs forever: any bound proves stop() closed it.
    expect(performance.now() - stopping).toBeLessThan(2_000);
  });

  it('with a directory, finds one entity by any identifier; the first of externalContactId, phone, email decides', async () => {
    const directory = new CustomerDirectory();
    directory.register('CRM-1', { phone: 'tel:+4915112345678', email: 'Anna.Albers@example.com', externalContactId: 'ext-1' });
    directory.register('CRM-2', { phone: '+33612345678', email: 'ben@example.org' });
    crm = await startFakeCrm({ directory, seed: 9 });
    const one = { status: 200, body: entityRecord('CRM-1', 9) };
    expect(crm.recordOf('CRM-1')).toEqual(entityRecord('CRM-1', 9));
    expect(await get('/customers?phone=%2B4915112345678&email=&externalContactId=')).toEqual(one);
    expect(await get('/customers?phone=&email=anna.albers%40example.com')).toEqual(one);
    expect(await get('/customers?externalContactId=ext-1')).toEqual(one);
    // externalContactId beats phone, phone beats email: the deciding key alone picks the entity.
    expect(await get('/customers?phone=%2B33612345678&externalContactId=ext-1')).toEqual(one);
    expect(await get('/customers?phone=%2B4915112345678&email=ben%40example.org')).toEqual(one);
    expect(await get('/customers?phone=%2B33612345678&email=anna.albers%40example.com')).toEqual({ status: 200, body: entityRecord('CRM-2', 9) });
    // Keys outside the directory are unknown, even those the hash rule would know.
    const hashKnown = Array.from({ length: 50 }, (_, i) => `+4930${String(1_000_000 + i)}`).find((k) => customerRecord(k, 9) !== undefined)!;
    expect((await get(`/customers?phone=${encodeURIComponent(hashKnown)}`)).status).toBe(404);
    expect((await get('/customers?externalContactId=ext-2&phone=%2B4915112345678')).status).toBe(404);
    crm.setRecord('CRM-1', { id: 'override' });
    expect(await get('/customers?externalContactId=ext-1')).toEqual({ status: 200, body: { id: 'override' } });
    expect(crm.recordOf('CRM-1')).toEqual({ id: 'override' });
  });
});
