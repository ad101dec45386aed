/**
 * A restart catches up at the cost of what it missed, not of what is live: the built CLI enriches
 * 200 live conversations, is killed with SIGKILL, 20 more connect while it is down, and a new
 * daemon on a 300-per-minute budget must enrich those 20 soon after it is ready, fetching little
 * more than those 20 (its own audit trail says the other 200 are done).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { customerRecord, startFakeCrm, type FakeCrm } from '../../src/sandbox/crm/index.js';
import { DEMO_FLOW_ID, startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { DEMO_INPUT_SCHEMA } from '../../src/sandbox/org/flows.js';
import { startCli, type CliProcess } from '../helpers/cli-process.js';
import { explain } from '../helpers/e2e-world.js';
import { customerNeedles, findLeaks, secretNeedles } from '../helpers/leaks.js';
import { judge } from '../helpers/oracle.js';
import { writeFacts } from '../helpers/truth.js';
import { waitFor } from '../helpers/wait-for.js';

const SECRET = 'restart-secret-5b02';
const GET_ROUTE = '/api/v2/conversations/{conversationId}';

function yaml(requestsPerMinute: number, crm: FakeCrm, auditFile: string): string {
  return `
genesys:
  gatewayUrl: \${GW}
  clientId: sandbox-client
  clientSecret: \${SECRET}
  requestsPerMinute: ${requestsPerMinute}
queues:
  - name: Support DE
flow:
  id: ${DEMO_FLOW_ID}
crm:
  url: ${crm.url}/customers?phone={phone?}&email={email?}
attributes:
  prefix: crm.
  map:
    Flow.accountId: /account/id
audit:
  file: ${auditFile}
http:
  listen: "off"
log:
  level: info
  format: json
`;
}

describe('restart after SIGKILL', () => {
  let sandbox: Sandbox | undefined;
  let crm: FakeCrm | undefined;
  const daemons: CliProcess[] = [];

  afterEach(async () => {
    for (const d of daemons.splice(0)) await d.stop('SIGKILL');
    sandbox?.traffic.stop();
    await crm?.stop();
    await sandbox?.stop();
  });

  it('enriches the 20 that connected while it was down within 10 s of ready, with at most 25 conversation GETs', async () => {
    sandbox = await startSandbox({ heartbeatIntervalMs: 1_000, requestsPerMinute: 100_000, clients: [{ clientId: 'sandbox-client', clientSecret: SECRET }] });
    crm = await startFakeCrm({ directory: sandbox.org.customers });
    const sb = sandbox;
    const fakeCrm = crm;
    sb.traffic.pause();
    const queueId = sb.options.queues[0]!.id;
    const dir = mkdtempSync(join(tmpdir(), 'restart-'));
    const auditFile = join(dir, 'audit.jsonl');
    const fastConfig = join(dir, 'fast.yaml');
    const budgetConfig = join(dir, 'budget.yaml');
    writeFileSync(fastConfig, yaml(6_000, crm, auditFile));
    writeFileSync(budgetConfig, yaml(300, crm, auditFile));

    let n = 0;
    const knownPhone = (): string => {
      for (;;) {
        const phone = `+4940123${String(++n).padStart(5, '0')}`;
        if (customerRecord(phone) !== undefined) return phone;
      }
    };
    const connect = async (count: number): Promise<string[]> => {
      const ids: string[] = [];
      for (let i = 0; i < count; i++) {
        const conv = await sb.traffic.startOne({ media: 'call', queueId, script: 'connect', until: 'started', customerAddress: `tel:${knownPhone()}` });
        while (sb.traffic.step(conv.id) && !sb.org.connected.has(conv.id));
        ids.push(conv.id);
      }
      return ids;
    };
    // What the sandbox applied, not what the daemon says it did.
    const enrichedIds = () => new Set(sb.org.writes.map((w) => w.conversationId));

    const first = startCli(['run', '--config', fastConfig], { GW: sb.url, SECRET });
    daemons.push(first);
    await first.waitForOutput(/daemon started/);
    const live = await connect(200);
    await waitFor(() => live.every((id) => enrichedIds().has(id)), { timeoutMs: 30_000, what: '200 live conversations enriched' });
    await first.stop('SIGKILL');

    const missed = await connect(20);
    const callsBefore = sb.calls.length;
    const second = startCli(['run', '--config', budgetConfig], { GW: sb.url, SECRET });
    daemons.push(second);
    await second.waitForOutput(/daemon started/, 20_000);
    const readyAt = Date.now();
    await waitFor(() => missed.every((id) => enrichedIds().has(id)), { timeoutMs: 30_000, intervalMs: 50, what: 'the 20 missed conversations enriched' });
    const caughtUpMs = Date.now() - readyAt;
    const calls = sb.calls.slice(callsBefore);
    const gets = calls.filter((c) => c.method === 'GET' && c.endpoint === GET_ROUTE).length;
    console.log(`restart: 200 live enriched before SIGKILL, 20 missed; all 20 enriched ${caughtUpMs} ms after ready; ${gets} conversation GETs; ${calls.length} API calls in all`);

    expect(caughtUpMs).toBeLessThanOrEqual(10_000);
    expect(gets).toBeLessThanOrEqual(25);
    // Nothing was written twice: one write per conversation, 220 in all.
    const writes = sb.org.writes.filter((w) => live.includes(w.conversationId) || missed.includes(w.conversationId));
    expect(writes).toHaveLength(220);
    // The oracle over the whole run: every conversation written once, right values, whole trail.
    const j = judge({
      truth: sb.org.truth(),
      writes: writeFacts(sb),
      crmRecordOf: (id) => fakeCrm.recordOf(id),
      watchedQueueIds: new Set([queueId]),
      map: { 'Flow.accountId': '/account/id' },
      prefix: 'crm.',
      schemas: [{ from: 0, schema: DEMO_INPUT_SCHEMA }],
      audit: readFileSync(auditFile, 'utf8'),
    });
    expect(j.expected).toHaveLength(220);
    expect(j.missed, explain(j, daemons)).toEqual([]);
    expect(j.doubled, explain(j, daemons)).toEqual([]);
    expect(j.wrong, explain(j, daemons)).toEqual([]);
    expect(j.auditErrors).toEqual([]);
    const printed: Record<string, string> = {};
    daemons.forEach((d, i) => {
      printed[`daemon ${String(i + 1)}`] = d.stdout() + d.stderr();
    });
    expect(findLeaks(printed, [...secretNeedles({ clientSecret: SECRET, token: sb.auth.issued }), ...customerNeedles(sb.org.truth())])).toEqual([]);
  }, 120_000);
});
