/**
 * The analytics webhook end to end: the built CLI against the sandbox posts one event per
 * decision to a receiver on loopback. Every conversation the sandbox shows written has one
 * `enriched` event naming the written trace id and keys; every customer the CRM does not know has
 * one `skipped` event; no event carries a customer's phone or a secret.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_FLOW_ID } from '../../src/sandbox/index.js';
import { customerRecord } from '../../src/sandbox/crm/index.js';
import { DEMO_INPUT_SCHEMA } from '../../src/sandbox/org/flows.js';
import { startCli, type CliProcess } from '../helpers/cli-process.js';
import { crmUrl, explain, identityYaml, judgeWorld, startWorld, type World } from '../helpers/e2e-world.js';
import { customerNeedles, findLeaks, secretNeedles } from '../helpers/leaks.js';
import { waitFor } from '../helpers/wait-for.js';

const SECRET = 'webhook-secret-2a9f';
const MAP = { 'Flow.accountId': '/account/id', 'Flow.tier': '/account/tier' };

interface Received {
  readonly event: string;
  readonly conversationId: string;
  readonly traceId: string;
  readonly attributes?: string[];
}

describe('analytics webhook (built CLI)', () => {
  let world: World;
  let receiver: Server;
  let daemon: CliProcess | undefined;
  const bodies: string[] = [];

  afterAll(async () => {
    await daemon?.stop('SIGKILL');
    await world.stop();
    receiver.closeAllConnections();
    await new Promise<void>((resolve) => receiver.close(() => { resolve(); }));
  });

  it('posts one event per decision, with the written trace id and keys, and no customer data', async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        bodies.push(body);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const hookUrl = `http://127.0.0.1:${String((receiver.address() as AddressInfo).port)}/events`;

    world = await startWorld({ prefix: 'webhook', secret: SECRET });
    const { sandbox } = world;
    writeFileSync(
      world.configFile,
      `genesys:
  gatewayUrl: \${GW}
  clientId: sandbox-client
  clientSecret: \${SECRET}
queues:
  - name: Support DE
flow:
  id: ${DEMO_FLOW_ID}
crm:
  url: ${crmUrl(world.crm)}
attributes:
  prefix: crm.
  map:
${Object.entries(MAP).map(([k, v]) => `    ${k}: ${v}`).join('\n')}
analytics:
  webhookUrl: ${hookUrl}
${identityYaml()}audit:
  file: ${world.auditFile}
http:
  listen: "off"
log:
  level: info
  format: json
`,
    );
    daemon = startCli(['run', '--config', world.configFile], { GW: sandbox.url, SECRET });
    await daemon.waitForOutput(/daemon started/);

    // Six customers the CRM knows and two it does not, each call stepped to "connected".
    const queueId = sandbox.options.queues.find((q) => q.name === 'Support DE')?.id ?? '';
    const phones: { phone: string; known: boolean }[] = [];
    for (let i = 1; phones.length < 8; i++) {
      const phone = `+4915400${String(i).padStart(5, '0')}`;
      const known = customerRecord(phone) !== undefined;
      if (phones.filter((p) => p.known === known).length < (known ? 6 : 2)) phones.push({ phone, known });
    }
    sandbox.traffic.pause();
    for (const { phone } of phones) {
      const started = sandbox.traffic.startOne({ media: 'call', queueId, script: 'connect', speed: 50, customerAddress: `tel:${phone}` });
      const conv = await waitFor(() => started, { what: 'a started call' });
      while (!sandbox.org.connected.has(conv.id)) expect(sandbox.traffic.step(conv.id)).toBe(true);
    }
    const events = (): Received[] => bodies.flatMap((b) => {
      const v = JSON.parse(b) as Received | Received[];
      return Array.isArray(v) ? v : [v];
    });
    await waitFor(() => events().length >= 8, { timeoutMs: 15_000, what: 'eight webhook events' });
    expect(await daemon.stop('SIGTERM')).toBe(0);

    const j = judgeWorld(world, { watchedQueueIds: new Set([queueId]), map: MAP, prefix: 'crm.', schemas: [{ from: 0, schema: DEMO_INPUT_SCHEMA }] });
    expect(j.expected).toHaveLength(6);
    expect(j.missed, explain(j, [daemon])).toEqual([]);
    expect(j.wrong, explain(j, [daemon])).toEqual([]);
    for (const id of j.written) {
      const write = sandbox.org.writes.find((w) => w.conversationId === id);
      const marker = write?.attributes['crm.enricher.traceId'] ?? '';
      const mine = events().filter((e) => e.conversationId === id);
      expect(mine.map((e) => e.event), id).toEqual(['enriched']);
      expect(marker === mine[0]?.traceId || marker.startsWith(`${mine[0]?.traceId ?? '?'}.`), 'the event names the written trace id').toBe(true);
      expect([...(mine[0]?.attributes ?? [])].sort()).toEqual(Object.keys(write?.attributes ?? {}).sort());
    }
    const unknown = world.truth().filter((t) => t.crmCustomerId === undefined).map((t) => t.id);
    expect(unknown).toHaveLength(2);
    for (const id of unknown) expect(events().filter((e) => e.conversationId === id).map((e) => e.event)).toEqual(['skipped']);
    const needles = [...customerNeedles(world.truth()), ...secretNeedles({ clientSecret: SECRET, token: sandbox.auth.issued })];
    expect(findLeaks({ webhook: bodies.join('\n') }, needles)).toEqual([]);
  }, 60_000);
});
