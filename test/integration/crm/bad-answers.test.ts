/**
 * Bad CRM answers (malformed JSON, a scalar, an oversize body) are not CRM failures: they do not
 * open the circuit breaker for everyone, and they are reported apart (their own reasons, their
 * own call result). An oversize body is `too-large`, not `network`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CrmClient } from '../../../src/crm/client.js';
import type { CrmCallResult } from '../../../src/crm/index.js';
import { RecordingLogger } from './recording-logger.js';
import { crmOptions, ctx } from './setup.js';

let server: Server | undefined;
let client: CrmClient | undefined;

afterEach(async () => {
  await client?.close();
  await new Promise<void>((resolve) => {
    if (server) server.close(() => { resolve(); });
    else resolve();
  });
});

/** A CRM that answers by the `phone` query value: `+1...` malformed, `+2...` huge, `+3...` 503, else a record. */
async function oddCrm(): Promise<string> {
  server = createServer((req, res) => {
    const phone = new URL(req.url ?? '/', 'http://x').searchParams.get('phone') ?? '';
    if (phone.startsWith('+1')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"account": {"id": ');
    } else if (phone.startsWith('+2')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`{"pad":"${'x'.repeat(2 * 1024 * 1024)}"}`);
    } else if (phone.startsWith('+3')) {
      res.writeHead(503).end();
    } else {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"account":{"id":"ACC-1"}}');
    }
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/customers?phone={phone}`;
}

describe('CrmClient and bad CRM answers', () => {
  it('four malformed answers do not open the breaker (threshold 3); real failures still do', async () => {
    const url = await oddCrm();
    const calls: [CrmCallResult, string | undefined][] = [];
    client = new CrmClient(crmOptions(url, { circuitBreaker: { failureThreshold: 3, openMs: 60_000 } }), { logger: new RecordingLogger(), onCall: (r, f) => calls.push([r, f]) });
    for (let i = 0; i < 4; i++) {
      expect(await client.lookup(ctx({ phone: `+1555000000${i}` }))).toMatchObject({ outcome: 'error', error: 'bad-response' });
    }
    expect(client.stats().breaker).toBe('closed');
    expect(await client.lookup(ctx({ phone: '+4930000001' }))).toMatchObject({ outcome: 'miss', found: true });
    expect(calls.filter(([r]) => r === 'bad-answer')).toEqual(Array.from({ length: 4 }, () => ['bad-answer', 'bad-response']));
    for (let i = 0; i < 3; i++) await client.lookup(ctx({ phone: `+3555000000${i}` }));
    expect(client.stats().breaker).toBe('open');
    expect(calls.filter(([r]) => r === 'failed')).toEqual(Array.from({ length: 3 }, () => ['failed', 'http-503']));
  });

  it('reports an oversize body as too-large, not network, and as a bad answer', async () => {
    const url = await oddCrm();
    const calls: [CrmCallResult, string | undefined][] = [];
    client = new CrmClient(crmOptions(url, { circuitBreaker: { failureThreshold: 1, openMs: 60_000 } }), { logger: new RecordingLogger(), onCall: (r, f) => calls.push([r, f]) });
    expect(await client.lookup(ctx({ phone: '+25550000000' }))).toMatchObject({ outcome: 'error', error: 'too-large' });
    expect(calls).toEqual([['bad-answer', 'too-large']]);
    expect(client.stats().breaker).toBe('closed');
  });
});
