/** `inspect` against the sandbox and the fake CRM, called in-process with captured output. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { AuditLine } from '../../../src/sinks/audit.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { inspectCommand } from '../../../src/cli/inspect-command.js';
import { hashValue } from '../../../src/sinks/audit.js';
import { deriveSigningKeys } from '../../../src/signing.js';
import { captureIo, startHarness, type Harness } from './harness.js';
import { SANDBOX_CLIENT } from '../../../src/sandbox/options.js';

/** The config names no signing.key: the audit key derives from the client secret. */
const AUDIT_KEY = deriveSigningKeys({ clientSecret: SANDBOX_CLIENT.clientSecret }).audit;

const PHONE = '+4915799887766';
const RECORD = {
  account: { id: 'ACC-731902', tier: 'gold', balance: 1234.5, vip: true, since: '2019-03-07', openTickets: 2 },
  language: 'deu',
};
/** Every customer value that must never appear in the output (`deu` is too long for Flow.language: dropped). */
const SECRETS = [PHONE, '15799887766', 'ACC-731902', '1234.5', '2019-03-07', 'deu'];

describe('genesys-enricher inspect', () => {
  let h: Harness;
  let configFile: string;
  let queueId: string;

  beforeAll(async () => {
    h = await startHarness();
    configFile = h.config('inspect');
    queueId = h.sandbox.options.queues[0]!.id;
    h.crm.setRecord(PHONE, RECORD);
  });
  afterAll(async () => {
    await h.stop();
  });
  beforeEach(() => {
    h.sandbox.traffic.resume();
  });

  async function connected(): Promise<string> {
    const conv = await h.sandbox.traffic.startOne({ media: 'call', queueId, customerAddress: `tel:${PHONE}`, script: 'connect', until: 'connected', speed: 50 });
    h.sandbox.traffic.pause();
    return conv.id;
  }

  const writesTo = (id: string): number => h.sandbox.org.writes.filter((w) => w.conversationId === id).length;

  it('explains a connected conversation field by field and writes nothing without --write', async () => {
    const id = await connected();
    const io = captureIo();
    const code = await inspectCommand({ configFile, conversationId: id, write: false }, io);
    const out = io.out();
    expect(code, io.err()).toBe(0);
    expect(out).toContain(`conversation ${id}`);
    expect(out).toMatch(/^decision: enrich now \(call\)$/m);
    expect(out).toMatch(/why: an agent is connected in watched queue "Support DE"/);
    expect(out).toMatch(/^target: customer participant \S+$/m);
    expect(out).toMatch(/^customer: participant \S+; lookup keys:$/m);
    expect(out).toMatch(/^ {2}phone {13}from (ani|address) \(value not shown\)$/m);
    expect(out).toMatch(/^ {2}sources tried for call: ani, address, externalContact$/m);
    expect(out).toMatch(/crm: found a record, outcome miss/);
    expect(out).toContain(`Flow.accountId <- /account/id`);
    expect(out).toContain(`raw string (10 chars); schema string, required, maxLength 32; write crm.accountId = hmac:${hashValue('ACC-731902', AUDIT_KEY)} (10 chars)`);
    expect(out).toContain(`raw number; schema number; write crm.balance = hmac:${hashValue('1234.5', AUDIT_KEY)} (6 chars)`);
    expect(out).toContain(`raw boolean; schema boolean; write crm.vip = hmac:${hashValue('true', AUDIT_KEY)} (4 chars)`);
    expect(out).toContain('raw string (3 chars); schema string, maxLength 2; dropped: too-long');
    expect(out).toMatch(/^attributes: crm\.accountId, crm\.tier, crm\.balance, crm\.vip, crm\.customerSince, crm\.enricher\.traceId \(marker\)$/m);
    expect(out).toMatch(/^nothing was written/m);
    expect(writesTo(id)).toBe(0);
  });

  it('prints no customer data in clear', async () => {
    const id = await connected();
    const io = captureIo();
    await inspectCommand({ configFile, conversationId: id, write: false }, io);
    const all = io.out() + io.err();
    expect(all).toContain('hmac:');
    for (const secret of SECRETS) expect(all).not.toContain(secret);
  });

  it('writes once, with the marker, when asked to; a second inspection sees it as enriched', async () => {
    const id = await connected();
    const io = captureIo();
    const code = await inspectCommand({ configFile, conversationId: id, write: true }, io);
    expect(code, io.out() + io.err()).toBe(0);
    const writes = h.sandbox.org.writes.filter((w) => w.conversationId === id);
    expect(writes).toHaveLength(1);
    const w = writes[0]!;
    expect(w.purpose).toBe('customer');
    expect(w.attributes).toEqual({
      'crm.accountId': 'ACC-731902',
      'crm.tier': 'gold',
      'crm.balance': '1234.5',
      'crm.vip': 'true',
      'crm.customerSince': '2019-03-07',
      'crm.enricher.traceId': expect.stringMatching(/^[0-9a-f-]{36}\.[\w-]{43}$/),
    });
    const traceId = w.attributes['crm.enricher.traceId']!.split('.')[0]!;
    expect(io.out()).toMatch(new RegExp(`written: 5 attributes and the marker to participant ${w.participantId}; trace id ${traceId}; correlation id \\S+`));
    for (const secret of SECRETS) expect(io.out()).not.toContain(secret);
    // The write leaves one enriched line in the daemon's trail, hashes only.
    const auditFile = join(dirname(configFile), 'audit.jsonl');
    const lines = readFileSync(auditFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as AuditLine).filter((l) => l.conversationId === id);
    expect(lines).toEqual([expect.objectContaining({ event: 'enriched', reason: 'inspect', source: 'inspect', traceId })]);
    expect(JSON.stringify(lines)).not.toContain('ACC-731902');

    const again = captureIo();
    expect(await inspectCommand({ configFile, conversationId: id, write: true }, again)).toBe(1);
    expect(again.out()).toMatch(/^decision: skip: already-enriched/m);
    expect(again.out()).toContain('crm.enricher.traceId');
    expect(again.out()).toMatch(/^not written: the decision is skip \(already-enriched\)$/m);
    expect(writesTo(id)).toBe(1);
  });

  it('explains why a conversation waiting in the queue is not enriched yet, and refuses to write it', async () => {
    const conv = await h.sandbox.traffic.startOne({ media: 'call', queueId, customerAddress: `tel:${PHONE}`, script: 'connect', until: 'queued', speed: 50 });
    h.sandbox.traffic.pause();
    const io = captureIo();
    expect(await inspectCommand({ configFile, conversationId: conv.id, write: false }, io)).toBe(0);
    expect(io.out()).toMatch(/^decision: wait: in-queue \(not enriched yet, nothing audited\)$/m);
    expect(io.out()).toMatch(/why: the customer is waiting in a watched queue; with trigger agent-connected it is enriched when an agent connects/);
    expect(io.out()).toMatch(/^target: none/m);

    const io2 = captureIo();
    expect(await inspectCommand({ configFile, conversationId: conv.id, write: true }, io2)).toBe(1);
    expect(io2.out()).toMatch(/^not written: the decision is wait \(in-queue\)$/m);
    expect(writesTo(conv.id)).toBe(0);
  });

  it('exits 1 with a clear message for an unknown conversation', async () => {
    const io = captureIo();
    const code = await inspectCommand({ configFile, conversationId: '00000000-0000-4000-8000-00000000dead', write: false }, io);
    expect(code).toBe(1);
    expect(io.err()).toMatch(/inspect\.not-found: conversation 00000000-0000-4000-8000-00000000dead was not found \(404\)/);
  });

  it('exits 2 naming the key when a configured queue does not exist', async () => {
    const io = captureIo();
    const file = h.config('inspect-bad-queue', { queues: '  - name: Nope Queue' });
    expect(await inspectCommand({ configFile: file, conversationId: 'x', write: false }, io)).toBe(2);
    expect(io.err()).toMatch(/config: queues\[0\]\.name: no queue is named "Nope Queue"/);
  });
});
