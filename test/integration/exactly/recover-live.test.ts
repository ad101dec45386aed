/**
 * A write whose audit line never made it (the daemon died between the PATCH's application and
 * the line) is recovered into the trail by the next daemon from whichever snapshot shows it first.
 * After a restart that is often a live frame (any change resends the conversation) rather than
 * the catch-up; once that frame settled the conversation, the catch-up skips it. In-process against
 * the sandbox over real sockets: the first daemon's trail drops the line (the crash), and the second
 * daemon's catch-up cannot list live conversations, so only the live frame can show it.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/index.js';
import { Daemon } from '../../../src/daemon.js';
import { silentLogger } from '../../../src/log.js';
import { customerRecord, startFakeCrm, type FakeCrm } from '../../../src/sandbox/crm/index.js';
import { DEMO_FLOW_ID, startSandbox, type Sandbox } from '../../../src/sandbox/index.js';
import { createAuditLog, type AuditLine } from '../../../src/sinks/audit.js';
import { waitFor } from '../../helpers/wait-for.js';

const MARKER = 'crm.enricher.traceId';
const ACTIVITY_ROUTE = '/api/v2/analytics/conversations/activity/query';

let sandbox: Sandbox | undefined;
let crm: FakeCrm | undefined;
const running: Daemon[] = [];

afterEach(async () => {
  for (const d of running.splice(0)) await d.stop();
  sandbox?.traffic.stop();
  await crm?.stop();
  await sandbox?.stop();
  sandbox = undefined;
  crm = undefined;
});

function knownPhone(): string {
  for (let n = 1; ; n++) {
    const phone = `+4930555${String(n).padStart(5, '0')}`;
    if (customerRecord(phone) !== undefined) return phone;
  }
}

describe('a write whose audit line was lost in a crash', () => {
  it('is recovered from the live frame that shows it first after the restart: one enriched line, no second write', async () => {
    sandbox = await startSandbox({ heartbeatIntervalMs: 200 });
    crm = await startFakeCrm({});
    const sb = sandbox;
    sb.traffic.pause();
    const queueId = sb.options.queues[0]!.id;
    const auditFile = join(mkdtempSync(join(tmpdir(), 'recover-live-')), 'audit.jsonl');
    const config = parseConfig(
      {
        genesys: { gatewayUrl: sb.url, clientId: 'sandbox-client', clientSecret: 'sandbox-secret', requestsPerMinute: 6000 },
        queues: [{ name: 'Support DE' }],
        flow: { id: DEMO_FLOW_ID },
        crm: { url: `${crm.url}/customers?phone={phone?}&email={email?}`, timeoutMs: 2000 },
        attributes: { prefix: 'crm.', map: { 'Flow.accountId': '/account/id' } },
        audit: { file: auditFile },
        http: { listen: 'off' },
        stream: { heartbeatTimeoutMs: 1000, pongTimeoutMs: 1000, reconnectMinMs: 20 },
      },
      { file: 'test.yaml', env: {} },
    );
    const audit = (): AuditLine[] => (existsSync(auditFile) ? readFileSync(auditFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as AuditLine) : []);

    // The first daemon writes the conversation; its line never reaches the file (the crash).
    const file = createAuditLog(auditFile);
    const crashed = { write: (line: AuditLine) => { if (line.event !== 'enriched') file.write(line); }, close: () => file.close() };
    const first = await Daemon.start(config, { logger: silentLogger, audit: crashed });
    running.push(first);
    const conv = await sb.traffic.startOne({ media: 'call', queueId, script: 'connect', until: 'started', customerAddress: `tel:${knownPhone()}` });
    while (sb.traffic.step(conv.id) && !sb.org.connected.has(conv.id));
    await waitFor(() => first.enricher.summary.enriched === 1, { timeoutMs: 10_000, what: 'the first daemon wrote it' });
    running.splice(running.indexOf(first), 1);
    await first.stop();
    expect(audit()).toEqual([]);
    const written = sb.org.writes.filter((w) => w.conversationId === conv.id);
    expect(written).toHaveLength(1);

    // The restarted daemon's catch-up cannot list the live conversations; a live frame shows it.
    sb.faults.add({ endpoint: ACTIVITY_ROUTE, status: 503, count: 1_000 });
    const second = await Daemon.start(config, { logger: silentLogger });
    running.push(second);
    sb.org.publishConversation(conv);
    await waitFor(() => audit().some((l) => l.conversationId === conv.id), { timeoutMs: 10_000, what: 'a decision about the conversation' });

    const lines = audit().filter((l) => l.conversationId === conv.id);
    expect(lines).toEqual([expect.objectContaining({ event: 'enriched', reason: 'recovered', source: 'live' })]);
    expect(written[0]!.attributes[MARKER]?.startsWith(`${lines[0]!.traceId}.`)).toBe(true);
    expect(sb.org.writes.filter((w) => w.conversationId === conv.id)).toHaveLength(1);
  }, 30_000);
});
