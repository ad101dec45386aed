/**
 * Values from the CRM as the wire carries them: a JSON integer beyond 2^53 is not written with
 * wrong digits (dropped and named), a digit string is written exactly, and control, bidi and lone
 * surrogate characters never reach Genesys.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/index.js';
import { Daemon } from '../../../src/daemon.js';
import { silentLogger } from '../../../src/log.js';
import { DEMO_FLOW_ID, startSandbox, type Sandbox } from '../../../src/sandbox/index.js';
import { memoryAuditSink } from '../../../src/sinks/audit.js';
import { waitFor } from '../../helpers/wait-for.js';

let sandbox: Sandbox | undefined;
let daemon: Daemon | undefined;
let crm: Server | undefined;

afterEach(async () => {
  await daemon?.stop();
  sandbox?.traffic.stop();
  await sandbox?.stop();
  await new Promise<void>((resolve) => {
    if (crm) crm.close(() => { resolve(); });
    else resolve();
  });
});

// Written as raw JSON text: a JavaScript object could not even hold 9007199254740993.
const BODY = String.raw`{"account":{"id":"ACC-\u001b[2J\u0000\u202Eevil\uD800\r\nx","openTickets":9007199254740993,"balance":"90071992547409930","tier":"go\u200Eld"},"language":"d\u0000e"}`;

describe('CRM values on their way to Genesys', () => {
  it('drops integers beyond 2^53, keeps digit strings exact, strips control and bidi characters', async () => {
    crm = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(BODY);
    });
    const server = crm;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    sandbox = await startSandbox({ heartbeatIntervalMs: 200 });
    const config = parseConfig(
      {
        genesys: { gatewayUrl: sandbox.url, clientId: 'sandbox-client', clientSecret: 'sandbox-secret', requestsPerMinute: 6000 },
        queues: [{ name: 'Support DE' }],
        flow: { id: DEMO_FLOW_ID },
        crm: { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/customers?phone={phone?}&email={email?}` },
        attributes: {
          prefix: 'crm.',
          map: { 'Flow.accountId': '/account/id', 'Flow.openTickets': '/account/openTickets', 'Flow.balance': '/account/balance', 'Flow.tier': '/account/tier', 'Flow.language': '/language' },
        },
        http: { listen: 'off' },
        backfill: { intervalMs: 0 },
      },
      { file: 'test.yaml', env: {} },
    );
    const audit = memoryAuditSink();
    daemon = await Daemon.start(config, { logger: silentLogger, audit });
    const box = sandbox;
    const conv = await box.traffic.startOne({ media: 'call', queueId: box.options.queues[0]!.id, script: 'connect', speed: 50, until: 'connected', customerAddress: 'tel:+4930123456789' });
    await waitFor(() => box.org.writes.some((w) => w.conversationId === conv.id), { what: 'the write' });
    const written = box.org.writes.find((w) => w.conversationId === conv.id)?.attributes ?? {};
    expect(written['crm.accountId']).toBe('ACC-[2Jevil x');
    expect(written['crm.balance']).toBe('90071992547409930');
    expect(written['crm.tier']).toBe('gold');
    expect(written['crm.language']).toBe('de');
    expect(written).not.toHaveProperty('crm.openTickets');
    await waitFor(() => audit.lines.some((l) => l.conversationId === conv.id), { what: 'the audit line' });
    const line = audit.lines.find((l) => l.conversationId === conv.id);
    expect(line?.dropped).toEqual([{ field: 'Flow.openTickets', reason: 'unsafe-integer' }]);
  });
});
