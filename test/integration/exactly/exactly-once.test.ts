/**
 * Exactly once under real faults, the daemon in-process against the sandbox over real sockets:
 * a PATCH slower than `genesys.timeoutMs` (every answer lost, every write landing), and a customer
 * who carries a forged marker and forged prefixed values from the start, across a restart.
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
import type { SandboxConversation } from '../../../src/sandbox/org/conversation.js';
import type { AuditLine } from '../../../src/sinks/audit.js';
import { waitFor } from '../../helpers/wait-for.js';

const PATCH_ROUTE = '/api/v2/conversations/{conversationId}/participants/{participantId}/attributes';
const MARKER = 'crm.enricher.traceId';

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

let n = 0;
function knownPhone(): string {
  for (;;) {
    const phone = `+4930777${String(++n).padStart(5, '0')}`;
    if (customerRecord(phone) !== undefined) return phone;
  }
}

async function setup(genesys: Record<string, unknown> = {}) {
  sandbox = await startSandbox({ heartbeatIntervalMs: 200 });
  crm = await startFakeCrm({});
  const auditFile = join(mkdtempSync(join(tmpdir(), 'exactly-')), 'audit.jsonl');
  const config = parseConfig(
    {
      genesys: { gatewayUrl: sandbox.url, clientId: 'sandbox-client', clientSecret: 'sandbox-secret', requestsPerMinute: 6000, ...genesys },
      queues: [{ name: 'Support DE' }],
      flow: { id: DEMO_FLOW_ID },
      crm: { url: `${crm.url}/customers?phone={phone?}&email={email?}`, timeoutMs: 2000 },
      attributes: { prefix: 'crm.', map: { 'Flow.accountId': '/account/id', 'Flow.tier': '/account/tier' } },
      audit: { file: auditFile },
      http: { listen: 'off' },
      stream: { heartbeatTimeoutMs: 400, pongTimeoutMs: 300, reconnectMinMs: 20 },
      pipeline: { retryDelayMs: 400, maxAttempts: 3, drainTimeoutMs: 5000 },
    },
    { file: 'test.yaml', env: {} },
  );
  const start = async () => {
    const daemon = await Daemon.start(config, { logger: silentLogger });
    running.push(daemon);
    return daemon;
  };
  const stop = async (daemon: Daemon) => {
    running.splice(running.indexOf(daemon), 1);
    await daemon.stop();
  };
  const audit = (): AuditLine[] => {
    if (!existsSync(auditFile)) return [];
    return readFileSync(auditFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as AuditLine);
  };
  return { sandbox, start, stop, audit, queueId: sandbox.options.queues[0]!.id };
}

/** Starts a call and plays it until its agent is connected; `before` runs on it before it connects. */
async function connectOne(sb: Sandbox, queueId: string, before?: (conv: SandboxConversation) => void): Promise<SandboxConversation> {
  const conv = await sb.traffic.startOne({ media: 'call', queueId, script: 'connect', until: 'started', customerAddress: `tel:${knownPhone()}` });
  before?.(conv);
  while (sb.traffic.step(conv.id) && !sb.org.connected.has(conv.id));
  return conv;
}

describe('a PATCH slower than genesys.timeoutMs', () => {
  it('writes every conversation with one trace id and one enriched line', async () => {
    const { sandbox, start, audit, queueId } = await setup({ timeoutMs: 1000 });
    await start();
    sandbox.traffic.pause();
    // Every PATCH lands after 1.3 s, while the daemon stops waiting after 1 s.
    sandbox.faults.setLatency(PATCH_ROUTE, 1300);
    const convs: SandboxConversation[] = [];
    for (let i = 0; i < 5; i++) convs.push(await connectOne(sandbox, queueId));
    const ids = new Set(convs.map((c) => c.id));
    await waitFor(() => audit().filter((l) => ids.has(l.conversationId)).length >= ids.size, { timeoutMs: 20_000, what: 'one decision per conversation' });
    const lines = audit().filter((l) => ids.has(l.conversationId));
    const patches = sandbox.calls.filter((c) => c.method === 'PATCH' && c.endpoint === PATCH_ROUTE).length;
    console.log(`slow PATCH: ${ids.size} conversations, ${patches} PATCHes sent, ${sandbox.org.writes.length} applied, attempts ${lines.map((l) => l.attempts).join(',')}`);
    for (const conv of convs) {
      const mine = lines.filter((l) => l.conversationId === conv.id);
      expect(mine.map((l) => l.event)).toEqual(['enriched']);
      const markers = new Set(sandbox.org.writes.filter((w) => w.conversationId === conv.id).map((w) => w.attributes[MARKER]));
      // Every write the sandbox applied for this conversation carried one and the same marker.
      expect(markers.size).toBe(1);
      expect([...markers][0]?.split('.')[0]).toBe(mine[0]!.traceId);
    }
  });
});

describe('a forged marker on the customer', () => {
  const FORGED = { [MARKER]: 'f00dfeed-0000-4000-8000-000000000000.aGFoYWhhaGFoYWhhaGFoYWhhaGFoYWhhaGFoYWhhaGE', 'crm.tier': 'platinum', 'crm.vip': 'true', 'crm.accountId': 'ACC-FORGED' };
  const forge = (conv: SandboxConversation) => {
    const cust = conv.participants.find((p) => p.purpose === 'customer');
    if (!cust) throw new Error('no customer participant');
    Object.assign(cust.attributes, FORGED);
  };

  it('is enriched over, the forged values overwritten, and never recovered after a restart', async () => {
    const { sandbox, start, stop, audit, queueId } = await setup();
    // One conversation connects while no daemon runs (found by the start-up catch-up)...
    sandbox.traffic.pause();
    const early = await connectOne(sandbox, queueId, forge);
    const first = await start();
    // ...and one connects live.
    const live = await connectOne(sandbox, queueId, forge);
    const ids = [early.id, live.id];
    await waitFor(() => ids.every((id) => audit().some((l) => l.conversationId === id)), { timeoutMs: 10_000, what: 'both decided' });
    for (const conv of [early, live]) {
      const line = audit().find((l) => l.conversationId === conv.id);
      expect(line).toMatchObject({ event: 'enriched', markerFound: 'forged' });
      expect(line?.reason).toBeUndefined();
      const cust = conv.participants.find((p) => p.purpose === 'customer')!;
      for (const [key, value] of Object.entries(FORGED)) expect(cust.attributes[key], key).not.toBe(value);
      const writes = sandbox.org.writes.filter((w) => w.conversationId === conv.id);
      expect(writes).toHaveLength(1);
      // The map names tier; the schema names vip: both are ours, so a forged value is erased.
      expect(writes[0]!.attributes).toMatchObject({ 'crm.vip': '', 'crm.accountId': expect.stringMatching(/^ACC-\d+$/) });
    }
    await stop(first);
    const second = await start();
    await waitFor(() => second.backfill.runs >= 1, { timeoutMs: 10_000, what: 'the restart caught up' });
    const after = audit().filter((l) => ids.includes(l.conversationId));
    expect(after.filter((l) => l.reason === 'recovered')).toEqual([]);
    expect(after.filter((l) => l.event === 'enriched')).toHaveLength(2);
    expect(sandbox.org.writes.filter((w) => ids.includes(w.conversationId))).toHaveLength(2);
  });
});

describe('a PATCH on a conversation that has ended', () => {
  /** Plays the conversation to its end while the daemon waits for the (slowed) CRM. */
  const endWhileLookingUp = async (sb: Sandbox, conv: SandboxConversation, crmCalls: () => number, before: number) => {
    await waitFor(() => crmCalls() > before, { what: 'the CRM lookup started' });
    while (sb.traffic.step(conv.id));
    expect(sb.org.conversations.get(conv.id)?.endedAt).toBeDefined();
  };

  // What Genesys answers is unsure (202, 400 or 404): the sandbox plays each as its answer to a PATCH
  // on an ended conversation, and the daemon must handle all three.
  it.each([404, 400] as const)('answered %i: skipped conversation-ended, recognised from the conversation read back', async (status) => {
    const { sandbox, start, audit, queueId } = await setup();
    await start();
    sandbox.traffic.pause();
    crm!.setLatency(600);
    sandbox.org.endedPatchStatus = status;
    const before = crm!.requests();
    const conv = await connectOne(sandbox, queueId);
    await endWhileLookingUp(sandbox, conv, () => crm!.requests(), before);
    await waitFor(() => audit().some((l) => l.conversationId === conv.id), { timeoutMs: 10_000 });
    expect(audit().filter((l) => l.conversationId === conv.id)).toEqual([expect.objectContaining({ event: 'skipped', reason: 'conversation-ended' })]);
    expect(sandbox.calls.filter((c) => c.method === 'PATCH').length).toBe(1);
  });

  it('answered 202: enriched once, as the platform accepted the write', async () => {
    const { sandbox, start, audit, queueId } = await setup();
    await start();
    sandbox.traffic.pause();
    crm!.setLatency(600);
    sandbox.org.endedPatchStatus = 202;
    const before = crm!.requests();
    const conv = await connectOne(sandbox, queueId);
    await endWhileLookingUp(sandbox, conv, () => crm!.requests(), before);
    await waitFor(() => audit().some((l) => l.conversationId === conv.id), { timeoutMs: 10_000 });
    expect(audit().filter((l) => l.conversationId === conv.id)).toEqual([expect.objectContaining({ event: 'enriched' })]);
    expect(sandbox.calls.filter((c) => c.method === 'PATCH').length).toBe(1);
    expect(sandbox.org.writes.filter((w) => w.conversationId === conv.id)).toEqual([expect.objectContaining({ afterEnd: true })]);
  });

  it('a 400 on a live conversation is a permanent failure, not retried', async () => {
    const { sandbox, start, audit, queueId } = await setup();
    await start();
    sandbox.traffic.pause();
    sandbox.faults.add({ endpoint: PATCH_ROUTE, method: 'PATCH', status: 400, count: 1 });
    const conv = await connectOne(sandbox, queueId);
    await waitFor(() => audit().some((l) => l.conversationId === conv.id), { timeoutMs: 10_000 });
    // With 3 tries allowed, a retried failure is audited only after the third PATCH: one line
    // after one PATCH means it was not retried.
    expect(audit().filter((l) => l.conversationId === conv.id)).toEqual([expect.objectContaining({ event: 'failed', reason: 'genesys-400' })]);
    expect(sandbox.calls.filter((c) => c.method === 'PATCH').length).toBe(1);
  });
});
