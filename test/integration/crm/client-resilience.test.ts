import { afterEach, describe, expect, it } from 'vitest';
import type { CrmClient } from '../../../src/crm/client.js';
import { CrmError } from '../../../src/crm/errors.js';
import type { CrmResult } from '../../../src/crm/types.js';
import { customerRecord } from '../../../src/sandbox/crm/records.js';
import { startFakeCrm, type FakeCrm } from '../../../src/sandbox/crm/server.js';
import { waitFor } from '../../helpers/wait-for.js';
import { crmOptions, ctx, makeClient, phoneKey } from './setup.js';

const TOKEN = 'tok-9f8e7d6c5b4a-secret';
let crm: FakeCrm | undefined;
const clients: CrmClient[] = [];

async function start(opts: Parameters<typeof startFakeCrm>[0] = {}): Promise<FakeCrm> {
  crm = await startFakeCrm(opts);
  return crm;
}
function track<T extends { client: CrmClient }>(made: T): T {
  clients.push(made.client);
  return made;
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await crm?.stop();
  crm = undefined;
});

describe('CrmClient against the fake CRM: resilience', () => {
  it('keeps at most maxConcurrent requests in flight and queues the rest', async () => {
    const fake = await start({ latencyMs: 100 });
    const { client } = track(makeClient(crmOptions(fake.template, { maxConcurrent: 3 })));
    const phones = Array.from({ length: 12 }, () => phoneKey());
    const pending = Promise.all(phones.map((phone) => client.lookup(ctx({ phone }))));
    expect(client.stats()).toMatchObject({ inFlight: 3, queued: 9 });
    const results = await pending;
    expect(results.every((r) => r.outcome === 'miss')).toBe(true);
    expect(fake.requests()).toBe(12);
    expect(fake.peakConcurrency()).toBe(3);
  });

  it('opens the breaker after failureThreshold failures, short-circuits, half-opens and closes on recovery', async () => {
    const fake = await start();
    const { client, logger } = track(makeClient(crmOptions(fake.template, { circuitBreaker: { failureThreshold: 3, openMs: 200 } })));
    fake.setErrorRate(1, 503);
    for (let i = 0; i < 3; i += 1) {
      expect(await client.lookup(ctx({ phone: phoneKey() }))).toMatchObject({ outcome: 'error', error: 'http-503' });
    }
    expect(client.breaker.state).toBe('open');
    const refused = await client.lookup(ctx({ phone: phoneKey() }));
    expect(refused).toMatchObject({ outcome: 'error', found: false, error: 'circuit-open' });
    expect(fake.requests()).toBe(3);

    await waitFor(() => client.breaker.state === 'half-open', { what: 'half-open', timeoutMs: 2_000 });
    expect(await client.lookup(ctx({ phone: phoneKey() }))).toMatchObject({ outcome: 'error', error: 'http-503' });
    expect(client.breaker.state).toBe('open');
    expect(fake.requests()).toBe(4);

    await waitFor(() => client.breaker.state === 'half-open', { what: 'half-open again', timeoutMs: 2_000 });
    fake.setErrorRate(0);
    fake.setLatency(50);
    const probes = await Promise.all([1, 2, 3].map(() => client.lookup(ctx({ phone: phoneKey() }))));
    expect(probes.map((r) => r.outcome).sort()).toEqual(['error', 'error', 'miss']);
    expect(probes.filter((r) => r.outcome === 'error').every((r) => r.error === 'circuit-open')).toBe(true);
    expect(fake.requests()).toBe(5);
    expect(client.breaker.state).toBe('closed');
    expect((await client.lookup(ctx({ phone: phoneKey() }))).outcome).toBe('miss');

    const transitions = logger.lines.filter((l) => l.message === 'crm circuit breaker changed state');
    expect(transitions.every((l) => l.level === 'warn' && l.fields.component === 'crm')).toBe(true);
    expect(transitions.map((l) => `${String(l.fields.from)}>${String(l.fields.to)}`)).toEqual([
      'closed>open',
      'open>half-open',
      'half-open>open',
      'open>half-open',
      'half-open>closed',
    ]);
  });

  it('serves cached values while the breaker is open, and counts slow calls as failures', async () => {
    const fake = await start();
    const { client } = track(
      makeClient(crmOptions(fake.template, { timeoutMs: 60, cache: { max: 10, ttlMs: 150, notFoundTtlMs: 10 }, circuitBreaker: { failureThreshold: 2, openMs: 60_000 } })),
    );
    const known = phoneKey();
    await client.lookup(ctx({ phone: known }));
    fake.setTimeoutRate(1);
    expect((await client.lookup(ctx({ phone: phoneKey() }))).outcome).toBe('timeout');
    expect((await client.lookup(ctx({ phone: phoneKey() }))).outcome).toBe('timeout');
    expect(client.breaker.state).toBe('open');
    await waitFor(async () => (await client.lookup(ctx({ phone: known }))).outcome !== 'hit', { what: 'the entry to expire' });
    const started = performance.now();
    expect(await client.lookup(ctx({ phone: known }))).toMatchObject({ outcome: 'stale', found: true, record: customerRecord(known), error: 'circuit-open' });
    // Served without asking: no fourth request (the CRM hangs, so asking would have waited for timeoutMs).
    expect(fake.requests()).toBe(3);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('sends the configured headers (a bearer token) and reports a refusal as http-401', async () => {
    const fake = await start({ token: TOKEN });
    const { client: good } = track(makeClient(crmOptions(fake.template, { headers: { Authorization: `Bearer ${TOKEN}` } })));
    const { client: bad } = track(makeClient(crmOptions(fake.template, { headers: { Authorization: 'Bearer wrong' } })));
    const phone = phoneKey();
    expect(await good.lookup(ctx({ phone }))).toMatchObject({ outcome: 'miss', record: customerRecord(phone) });
    expect(await bad.lookup(ctx({ phone }))).toMatchObject({ outcome: 'error', error: 'http-401' });
  });

  it('applies reloaded options: headers, template and concurrency; a new cache size rebuilds the cache', async () => {
    const fake = await start({ token: TOKEN });
    const { client, logger } = track(makeClient(crmOptions(fake.template, { headers: { Authorization: 'Bearer old' } })));
    const phone = phoneKey();
    expect((await client.lookup(ctx({ phone }))).error).toBe('http-401');
    const reloaded = crmOptions(`${fake.url}/customers?phone={phone}`, { headers: { Authorization: `Bearer ${TOKEN}` }, maxConcurrent: 1 });
    client.updateOptions(reloaded);
    expect(await client.lookup(ctx({ phone }))).toMatchObject({ outcome: 'miss', record: customerRecord(phone) });
    expect((await client.lookup(ctx({ email: 'a@example.com' }))).error).toBe('no-lookup-key');
    fake.setLatency(30);
    const pending = Promise.all([phoneKey(), phoneKey()].map((p) => client.lookup(ctx({ phone: p }))));
    expect(client.stats()).toMatchObject({ inFlight: 1, queued: 1 });
    await pending;
    expect(client.stats().cacheSize).toBe(3);
    client.updateOptions({ ...reloaded, cache: { ...reloaded.cache, max: 5 } });
    expect(client.stats().cacheSize).toBe(0);
    expect(() => { client.updateOptions({ ...reloaded, timeoutMs: 0 }); }).toThrow(CrmError);
    expect((await client.lookup(ctx({ phone }))).outcome).toBe('miss');
    expect(logger.lines.filter((l) => l.message === 'crm options updated').map((l) => l.fields.cacheRebuilt)).toEqual([false, true]);
  });

  it('never puts header values or lookup keys into log lines, results or errors', async () => {
    const fake = await start({ token: TOKEN });
    const headers = { Authorization: `Bearer ${TOKEN}`, 'X-Api-Key': `${TOKEN}-key` };
    const results: CrmResult[] = [];
    const errors: unknown[] = [];
    const made = track(makeClient(crmOptions(fake.template, { headers, timeoutMs: 80, circuitBreaker: { failureThreshold: 2, openMs: 50 } })));
    const { client, logger } = made;
    const phone = phoneKey();
    const email = 'private.person@example.org';
    results.push(await client.lookup(ctx({ phone })));
    results.push(await client.lookup(ctx({ email })));
    fake.failNext(1, 500);
    results.push(await client.lookup(ctx({ phone: phoneKey() })));
    fake.setRaw(phone, `<html>${TOKEN}</html>`);
    fake.setTimeoutRate(1);
    results.push(await client.lookup(ctx({ phone: `${phone}9` })));
    results.push(await client.lookup(ctx({ email: `x${email}` })));
    results.push(await client.lookup(ctx({ phone: `${phone}8` })));
    // A dead port: network errors.
    const { client: dead, logger: deadLogger } = track(makeClient(crmOptions('http://127.0.0.1:9/customers?phone={phone}', { headers })));
    results.push(await dead.lookup(ctx({ phone })));
    client.updateOptions(crmOptions(fake.template, { headers: { Authorization: 'Bearer rotated-secret-value' } }));
    try {
      client.updateOptions(crmOptions(fake.template, { headers: { Authorization: `Bearer ${TOKEN}\n` } }));
    } catch (err) {
      errors.push(err);
    }
    expect(errors[0]).toBeInstanceOf(CrmError);
    // Two failures (500, then a timeout) open the breaker: the next two are refused.
    expect(results.map((r) => `${r.outcome}:${r.error ?? ''}`)).toEqual([
      'miss:',
      'miss:',
      'error:http-500',
      'timeout:timeout',
      'error:circuit-open',
      'error:circuit-open',
      'error:network',
    ]);
    expect(logger.lines.some((l) => l.level === 'warn')).toBe(true);
    expect(logger.lines.length).toBeGreaterThan(5);
    expect(deadLogger.lines.length).toBeGreaterThan(0);
    const visible = [
      logger.text(),
      deadLogger.text(),
      JSON.stringify(results.map(({ outcome, error, latencyMs, found }) => ({ outcome, error, latencyMs, found }))),
      ...errors.map((e) => (e instanceof Error ? `${e.message} ${JSON.stringify(e.cause)} ${e.stack ?? ''}` : String(e))),
    ].join('\n');
    for (const secret of [TOKEN, 'rotated-secret-value', phone.slice(1), encodeURIComponent(phone), 'private.person', 'example.org']) {
      expect(visible).not.toContain(secret);
    }
  });
});
