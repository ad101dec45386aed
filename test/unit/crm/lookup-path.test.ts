/**
 * No lookup value can move the CRM request off its path: values from an address, an attribute and a
 * callback number go through identity resolution and the real CRM client to a local HTTP server that
 * records every request path it receives.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CrmClient } from '../../../src/crm/client.js';
import { MAX_LOOKUP_VALUE_LENGTH } from '../../../src/crm/template.js';
import { resolveIdentity, type IdentitySource } from '../../../src/enrich/identity.js';
import type { MediaType, ParticipantView } from '../../../src/enrich/snapshot.js';
import { silentLogger } from '../../../src/log.js';

let server: Server;
let base = '';
const paths: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    paths.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"account":{"id":"A-1"}}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => { resolve(); }));
});

function client(template: string): CrmClient {
  return new CrmClient(
    {
      url: `${base}${template}`,
      headers: {},
      timeoutMs: 2_000,
      maxConcurrent: 4,
      cache: { max: 100, ttlMs: 60_000, notFoundTtlMs: 1_000 },
      circuitBreaker: { failureThreshold: 100, openMs: 1_000 },
    },
    { logger: silentLogger },
  );
}

/** Where a hostile value sits in the payload, the sources that read it, and the template. */
const ORIGINS: { name: string; media: MediaType; sources: IdentitySource[]; template: string; customer: (v: string) => Partial<ParticipantView> }[] = [
  { name: 'address', media: 'email', sources: ['address'], template: '/api/customers/{email}/profile', customer: (v) => ({ address: v }) },
  { name: 'address', media: 'call', sources: ['address'], template: '/api/customers/{phone}/profile', customer: (v) => ({ address: v }) },
  { name: 'callback number', media: 'callback', sources: ['callbackNumbers'], template: '/api/customers/{phone}/profile', customer: (v) => ({ callbackNumber: v }) },
  { name: 'attribute (as key)', media: 'chat', sources: ['attr:context.email'], template: '/api/customers/{email}/profile', customer: (v) => ({ attributes: { 'context.email': v } }) },
  { name: 'attribute (as {attr:})', media: 'chat', sources: ['attr:context.email'], template: '/api/customers/{attr:account}/profile?email={email?}', customer: (v) => ({ attributes: { account: v } }) },
];
const HOSTILE = ['..', '.', '%2e%2e', '.%2E', '', '  ', '9'.repeat(MAX_LOOKUP_VALUE_LENGTH + 10), `tel:+49${'1'.repeat(MAX_LOOKUP_VALUE_LENGTH)}`, '../../admin', 'a/../../admin@example.com'];

describe('CRM lookups with hostile values', () => {
  for (const origin of ORIGINS) {
    it.each(HOSTILE)(`${origin.name} (${origin.media}, ${origin.template}): %j never leaves the path`, async (value) => {
      const crm = client(origin.template);
      const before = paths.length;
      try {
        const customer: ParticipantView = { id: 'p', purpose: 'customer', attributes: {}, ...origin.customer(value) };
        const identity = resolveIdentity(customer, origin.media, origin.sources);
        const result = await crm.lookup({ ...identity.keys, conversationId: 'c', queueId: 'q', attributes: customer.attributes });
        expect(result.found).toBe(false);
        expect(['no-lookup-key', 'invalid-lookup-key']).toContain(result.error);
        expect(paths.slice(before)).toEqual([]);
      } finally {
        await crm.close();
      }
    });
  }

  it('control: a valid value reaches the intended path, so the server does record requests', async () => {
    const crm = client('/api/customers/{attr:account}/profile?phone={phone?}');
    try {
      const customer: ParticipantView = { id: 'p', purpose: 'customer', attributes: { account: 'A-1.x' }, callbackNumber: '+4915199887766' };
      const identity = resolveIdentity(customer, 'callback', ['callbackNumbers']);
      const result = await crm.lookup({ ...identity.keys, conversationId: 'c', queueId: 'q', attributes: customer.attributes });
      expect(result.found).toBe(true);
      expect(paths.at(-1)).toBe('/api/customers/A-1.x/profile?phone=%2B4915199887766');
    } finally {
      await crm.close();
    }
  });
});
