/**
 * The built CLI as a child process against the sandbox (issue: the enrichment daemon, end to end).
 * 300 conversations over three queues and all media, a flow republished mid-run, a half-open
 * socket, then a clean stop; the sandbox's record is compared with the audit trail.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_FLOW_ID, startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { startFakeCrm, type FakeCrm } from '../../src/sandbox/crm/index.js';
import { DEMO_INPUT_SCHEMA } from '../../src/sandbox/org/flows.js';
import type { AuditLine } from '../../src/sinks/audit.js';
import { runCli, startCli, type CliProcess } from '../helpers/cli-process.js';
import { waitFor } from '../helpers/wait-for.js';

const SECRET = 'e2e-client-secret-4f7a9c';
const CRM_TOKEN = 'e2e-crm-token-b81d2e';
const BAD_PHONE = '+4917000000001';

function configYaml(sandbox: Sandbox, crm: FakeCrm, auditFile: string): string {
  const billing = sandbox.options.queues[2]!.id;
  return `
genesys:
  gatewayUrl: \${E2E_GATEWAY}
  clientId: sandbox-client
  clientSecret: \${E2E_SECRET}
  requestsPerMinute: 6000
  maxConcurrentRequests: 20
queues:
  - name: Support DE
  - name: Sales EN
  - id: ${billing}
flow:
  id: ${DEMO_FLOW_ID}
crm:
  url: ${crm.url}/customers?phone={phone?}&email={email?}
  headers:
    Authorization: Bearer \${E2E_CRM_TOKEN}
  timeoutMs: 1000
identity:
  chat: [attr:context.email, attr:context.phoneNumber, externalContact]
  message: [address, attr:customer.email, externalContact]
attributes:
  prefix: crm.
  map:
    Flow.accountId: /account/id
    Flow.tier: /account/tier
    Flow.balance: /account/balance
    Flow.vip: /account/vip
    Flow.customerSince: /account/since
    Flow.openTickets: /account/openTickets
    Flow.lastContactAt: /account/lastContactAt
    Flow.language: /language
audit:
  file: ${auditFile}
http:
  listen: "off"
stream:
  heartbeatTimeoutMs: 250
  pongTimeoutMs: 250
  reconnectMinMs: 20
backfill:
  intervalMs: 0
log:
  level: debug
  format: json
`;
}

/** The audit file's complete lines (a line being written may be cut). */
function readAudit(file: string): AuditLine[] {
  const out: AuditLine[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    try {
      if (line) out.push(JSON.parse(line) as AuditLine);
    } catch {
      // the last line may be half written
    }
  }
  return out;
}

const FORMS: Record<string, RegExp> = {
  'crm.accountId': /^ACC-\d{6}$/,
  'crm.tier': /^(gold|silver|bronze)$/,
  'crm.balance': /^\d+(\.\d+)?$/,
  'crm.vip': /^(true|false)$/,
  'crm.customerSince': /^\d{4}-\d{2}-\d{2}$/,
  'crm.openTickets': /^\d+$/,
  'crm.lastContactAt': /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/,
  'crm.language': /^[a-z]{2}$/,
  'crm.enricher.traceId': /^[0-9a-f-]{36}\.[\w-]{43}$/, // trace id . HMAC (base64url)
};

describe('genesys-enricher run (built CLI) against the sandbox', () => {
  let sandbox: Sandbox;
  let crm: FakeCrm;
  let daemon: CliProcess;
  let dir: string;
  let audit: AuditLine[] = [];
  let exitCode: number | string;
  let republishedAt = 0;
  let silencedAt = 0;
  let badConversationId = '';

  beforeAll(async () => {
    sandbox = await startSandbox({ heartbeatIntervalMs: 300, requestsPerMinute: 100_000, clients: [{ clientId: 'sandbox-client', clientSecret: SECRET }] });
    crm = await startFakeCrm({ token: CRM_TOKEN, latencyMs: 2 });
    crm.setRecord(BAD_PHONE, {
      account: { id: 'ACC-999999', tier: 'platinum', balance: 10, vip: true, since: '2020-01-01', openTickets: 1, lastContactAt: '2026-01-01T00:00:00Z' },
      language: 'de',
    });
    dir = mkdtempSync(join(tmpdir(), 'e2e-'));
    const auditFile = join(dir, 'audit.jsonl');
    const configFile = join(dir, 'config.yaml');
    writeFileSync(configFile, configYaml(sandbox, crm, auditFile));
    daemon = startCli(['run', '--config', configFile], { E2E_GATEWAY: sandbox.url, E2E_SECRET: SECRET, E2E_CRM_TOKEN: CRM_TOKEN });
    await daemon.waitForOutput(/daemon started/);

    // Durations are 30x faster than life; so are the daemon's liveness timings above.
    const traffic = sandbox.traffic.play(299, { ratePerSec: 40, speed: 30, seed: 11 }).catch(() => undefined);
    const bad = sandbox.traffic.startOne({ media: 'call', queueId: sandbox.options.queues[0]!.id, customerAddress: `tel:${BAD_PHONE}`, script: 'connect', speed: 30, until: 'connected' });
    // A republish with a changed schema, a few seconds in.
    await waitFor(() => sandbox.org.writes.length >= 40, { timeoutMs: 20_000 });
    const props = { ...(DEMO_INPUT_SCHEMA.properties as Record<string, object>) };
    delete props['Flow.language'];
    props['Flow.balance'] = { type: 'integer' };
    republishedAt = Date.now();
    sandbox.org.flows.publishVersion(DEMO_FLOW_ID, { ...DEMO_INPUT_SCHEMA, properties: props });
    // Then a half-open socket: no heartbeats, pongs or events.
    await waitFor(() => sandbox.org.writes.length >= 120, { timeoutMs: 20_000 });
    silencedAt = Date.now();
    expect(sandbox.hub.silence()).toBeGreaterThan(0);
    badConversationId = (await bad).id;
    // Once every conversation has started and had time to reach an agent, freeze the traffic
    // and wait until each connected conversation is written, audited or over.
    await waitFor(() => sandbox.traffic.started >= 300, { timeoutMs: 30_000 });
    await new Promise((r) => setTimeout(r, 3_000));
    sandbox.traffic.stop();
    await traffic;
    await waitFor(() => {
      const audited = new Set(readAudit(auditFile).map((l) => l.conversationId));
      const writes = new Set(sandbox.org.writes.map((w) => w.conversationId));
      return [...sandbox.org.connected].every((id) => writes.has(id) || audited.has(id) || sandbox.org.conversations.get(id)?.endedAt !== undefined);
    }, { timeoutMs: 20_000, what: 'every connected conversation handled' });
    exitCode = await daemon.stop('SIGTERM');
    audit = readAudit(auditFile);
  }, 90_000);

  afterAll(async () => {
    await daemon.stop('SIGKILL');
    await crm.stop();
    await sandbox.stop();
  });

  it('stops cleanly on SIGTERM', () => {
    expect(exitCode).toBe(0);
    expect(daemon.stderr()).toMatch(/daemon stopped/);
  });

  it('enriches every conversation that connected exactly once, on the customer', () => {
    const connected = [...sandbox.org.connected];
    expect(connected.length).toBeGreaterThanOrEqual(200);
    const enriched = audit.filter((l) => l.event === 'enriched');
    const notFound = new Set(audit.filter((l) => l.event === 'skipped' && l.reason === 'crm-not-found').map((l) => l.conversationId));
    const writesBy = new Map<string, number>();
    for (const w of sandbox.org.writes) writesBy.set(w.conversationId, (writesBy.get(w.conversationId) ?? 0) + 1);
    const missed = connected.filter((id) => !writesBy.has(id) && !notFound.has(id));
    const doubled = [...writesBy].filter(([, n]) => n > 1);
    console.log(`e2e: connected ${connected.length}, enriched ${enriched.length}, crm-not-found ${notFound.size}, missed ${missed.length}, doubled ${doubled.length}, audit lines ${audit.length}`);
    if (missed.length > 0) {
      console.log('silencedAt', silencedAt, 'republishedAt', republishedAt);
      for (const id of missed) console.log(id, JSON.stringify(audit.filter((l) => l.conversationId === id)), sandbox.org.conversations.get(id)?.endedAt);
      console.log(daemon.stderr().split('\n').filter((l) => /backfill|reconnect|pong|gap|state/i.test(l)).slice(0, 40).join('\n'));
    }
    expect(missed).toEqual([]);
    expect(doubled).toEqual([]);
    expect(enriched.length).toBe(sandbox.org.writes.length);
    expect(new Set(enriched.map((l) => l.conversationId)).size).toBe(enriched.length);
    expect(sandbox.org.writes.every((w) => w.purpose === 'customer')).toBe(true);
    // media of all five kinds took part
    expect(new Set(enriched.map((l) => l.media))).toEqual(new Set(['call', 'chat', 'message', 'email', 'callback']));
  });

  it('writes values of the right type and form', () => {
    for (const w of sandbox.org.writes) {
      for (const [key, value] of Object.entries(w.attributes)) {
        expect(FORMS[key], `unexpected key ${key}`).toBeDefined();
        expect(value, key).toMatch(FORMS[key]!);
      }
    }
  });

  it('drops a bad CRM value, writes the other fields and names the dropped one', () => {
    const write = sandbox.org.writes.find((w) => w.conversationId === badConversationId);
    expect(write).toBeDefined();
    expect(write!.attributes['crm.tier']).toBeUndefined();
    expect(write!.attributes['crm.accountId']).toBe('ACC-999999');
    const line = audit.find((l) => l.conversationId === badConversationId && l.event === 'enriched');
    expect(line?.dropped?.map((d) => d.field)).toContain('Flow.tier');
  });

  it('uses the republished schema for the conversations that follow', () => {
    const after = audit.filter((l) => l.event === 'enriched' && Date.parse(l.ts) > republishedAt + 500);
    expect(after.length).toBeGreaterThan(20);
    for (const l of after) {
      expect(l.schemaVersion).toBe('2.0');
      expect(Object.keys(l.attributes ?? {})).not.toContain('crm.language');
    }
    const before = audit.filter((l) => l.event === 'enriched' && Date.parse(l.ts) < republishedAt);
    expect(before.every((l) => l.schemaVersion === '1.0')).toBe(true);
  });

  it('reconnects after the socket went half-open', () => {
    expect(sandbox.hub.counters.socketsOpened).toBeGreaterThan(1);
    const afterSilence = audit.filter((l) => Date.parse(l.ts) > silencedAt + 2_000);
    expect(afterSilence.length).toBeGreaterThan(0);
  });

  it('costs one Genesys call per conversation in steady state (the PATCH)', () => {
    // Steady state ends at the first gap: the half-open socket, or any earlier reconnect (a busy
    // machine can miss a pong), which shows as a second catch-up query after the start-up one.
    const catchUps = sandbox.calls.filter((c) => c.endpoint === '/api/v2/analytics/conversations/activity/query');
    const steadyEnd = Math.min(silencedAt, catchUps[1]?.at ?? Number.POSITIVE_INFINITY);
    expect(steadyEnd - republishedAt).toBeGreaterThan(0);
    const steady = sandbox.calls.filter((c) => c.at < steadyEnd);
    const patches = steady.filter((c) => c.method === 'PATCH');
    const gets = steady.filter((c) => c.endpoint === '/api/v2/conversations/{conversationId}');
    const writesBefore = sandbox.org.writes.filter((w) => w.at < steadyEnd).length;
    expect(gets).toHaveLength(0);
    expect(patches.filter((c) => c.status < 300).length).toBe(writesBefore);
    // A PATCH that found the conversation over (404) is audited as skipped: still one call each.
    const attempts = audit.filter((l) => Date.parse(l.ts) < steadyEnd && l.latencyMs.write !== undefined).length;
    expect(patches.length).toBeLessThanOrEqual(attempts + 20 /* in flight at the boundary */);
    const flowCalls = steady.filter((c) => c.endpoint.startsWith('/api/v2/flows'));
    expect(flowCalls.length).toBeLessThanOrEqual(4); // load at start, refresh after the republish
  });

  it('never logs a token, a secret or a customer address', () => {
    const everything = daemon.stdout() + daemon.stderr() + readFileSync(join(dir, 'audit.jsonl'), 'utf8');
    expect(everything.length).toBeGreaterThan(1000);
    for (const secret of [SECRET, CRM_TOKEN, ...sandbox.auth.issued]) expect(everything).not.toContain(secret);
    expect(everything).not.toMatch(/tel:\+\d|\+49\d{6,}/);
    expect(everything).not.toContain('ACC-');
  });
});

describe('genesys-enricher run with a bad config', () => {
  it('exits 2 and names the file and the key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'e2e-bad-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'genesys:\n  region: mypurecloud.ie\n  clientId: a\n  clientSecret: b\nqueues: [{name: X}]\nflow: {name: F}\ncrm:\n  url: https://crm.example.com/c?p={phone}\n  tiemoutMs: 5\nattributes:\n  map: {Flow.a: /a}\n');
    const result = await runCli(['run', '--config', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(file);
    expect(result.stderr).toContain('crm.tiemoutMs');
  });

  it('exits 2 on a command-line mistake', async () => {
    const result = await runCli(['run']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--config/);
  });
});
