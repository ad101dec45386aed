/**
 * The built CLI as a child process against the sandbox (issue: the enrichment daemon, end to end).
 * 300 conversations over three queues and all media, a flow republished mid-run, a half-open
 * socket, then a clean stop; the sandbox's record is compared with the audit trail.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_FLOW_ID } from '../../src/sandbox/index.js';
import { customerRecord } from '../../src/sandbox/crm/index.js';
import { DEMO_INPUT_SCHEMA } from '../../src/sandbox/org/flows.js';
import { parseAuditStrict, type ParsedAuditLine } from '../helpers/audit-file.js';
import { runCli, startCli, type CliProcess } from '../helpers/cli-process.js';
import { crmUrl, explain, identityYaml, judgeWorld, leaksOf, startWorld, type World } from '../helpers/e2e-world.js';
import type { Judgement, SchemaEpoch } from '../helpers/oracle.js';
import { waitFor } from '../helpers/wait-for.js';

const SECRET = 'e2e-client-secret-4f7a9c';
const CRM_TOKEN = 'e2e-crm-token-b81d2e';
/** A phone the CRM knows; its record is replaced by one with a value the schema refuses. */
const BAD_PHONE = (() => {
  for (let i = 1; ; i++) {
    const phone = `+49170000${String(i).padStart(5, '0')}`;
    if (customerRecord(phone) !== undefined) return phone;
  }
})();
const MAP = {
  'Flow.accountId': '/account/id',
  'Flow.tier': '/account/tier',
  'Flow.balance': '/account/balance',
  'Flow.vip': '/account/vip',
  'Flow.customerSince': '/account/since',
  'Flow.openTickets': '/account/openTickets',
  'Flow.lastContactAt': '/account/lastContactAt',
  'Flow.language': '/language',
};

function configYaml(world: World): string {
  const billing = world.sandbox.options.queues[2]!.id;
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
  url: ${crmUrl(world.crm)}
  headers:
    Authorization: Bearer \${E2E_CRM_TOKEN}
  timeoutMs: 1000
attributes:
  prefix: crm.
  map:
${Object.entries(MAP).map(([k, v]) => `    ${k}: ${v}`).join('\n')}
${identityYaml()}audit:
  file: ${world.auditFile}
http:
  listen: "off"
stream:
  # Liveness 30x faster than the defaults like the traffic, with headroom over the sandbox's
  # 300 ms heartbeat on a machine shared with other tests.
  heartbeatTimeoutMs: 1000
  pongTimeoutMs: 1000
  reconnectMinMs: 20
backfill:
  intervalMs: 0
log:
  level: debug
  format: json
`;
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
  let world: World;
  let daemon: CliProcess;
  let audit: ParsedAuditLine[] = [];
  let auditErrors: string[] = [];
  let exitCode: number | string;
  let republishedAt = 0;
  let silencedAt = 0;
  let badConversationId = '';
  const schemas: SchemaEpoch[] = [{ from: 0, schema: DEMO_INPUT_SCHEMA }];
  const watched = () => new Set(world.sandbox.options.queues.map((q) => q.id));
  const judgeNow = (): Judgement =>
    judgeWorld(world, {
      watchedQueueIds: watched(),
      map: MAP,
      prefix: 'crm.',
      schemas,
      schemaGraceMs: 2_000,
      // A conversation that connected and ended within the time the daemon needs to notice the
      // half-open socket (heartbeat plus pong timeout, 2 s) is gone before any catch-up can see it.
      minLiveMs: 2_500,
    });
  let judgement: Judgement;

  beforeAll(async () => {
    world = await startWorld({ prefix: 'e2e', secret: SECRET, crmToken: CRM_TOKEN, crmLatencyMs: 2 });
    const { sandbox, crm } = world;
    crm.setRecord(BAD_PHONE, {
      account: { id: 'ACC-999999', tier: 'platinum', balance: 10, vip: true, since: '2020-01-01', openTickets: 1, lastContactAt: '2026-01-01T00:00:00Z' },
      language: 'de',
    });
    writeFileSync(world.configFile, configYaml(world));
    daemon = startCli(['run', '--config', world.configFile], { E2E_GATEWAY: sandbox.url, E2E_SECRET: SECRET, E2E_CRM_TOKEN: CRM_TOKEN });
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
    const republished = { ...DEMO_INPUT_SCHEMA, properties: props };
    schemas.push({ from: republishedAt, schema: republished });
    sandbox.org.flows.publishVersion(DEMO_FLOW_ID, republished);
    // Then a half-open socket: no heartbeats, pongs or events.
    await waitFor(() => sandbox.org.writes.length >= 120, { timeoutMs: 20_000 });
    silencedAt = Date.now();
    expect(sandbox.hub.silence()).toBeGreaterThan(0);
    badConversationId = (await bad).id;
    // Once every conversation has started, freeze the traffic: live conversations stay live.
    await waitFor(() => sandbox.traffic.started >= 300, { timeoutMs: 30_000 });
    await waitFor(() => sandbox.org.connected.size >= 200, { timeoutMs: 20_000, what: '200 conversations connected' }).catch(() => undefined);
    sandbox.traffic.stop();
    await traffic;
    // The oracle, not the daemon, says when every conversation that needs a write has one.
    await waitFor(() => judgeNow().missed.length === 0, { timeoutMs: 20_000, what: 'every expected conversation written' }).catch(() => undefined);
    exitCode = await daemon.stop('SIGTERM');
    ({ lines: audit, errors: auditErrors } = parseAuditStrict(readFileSync(world.auditFile, 'utf8')));
    judgement = judgeNow();
    console.log(`e2e: ${judgement.summary()}`);
  }, 120_000);

  afterAll(async () => {
    await daemon.stop('SIGKILL');
    await world.stop();
  });

  it('stops cleanly on SIGTERM', () => {
    expect(exitCode).toBe(0);
    expect(daemon.stderr()).toMatch(/daemon stopped/);
  });

  it('writes every conversation the records say needs it, once, on the customer, with the CRM record\'s values', () => {
    const j = judgement;
    expect(j.expected.length).toBeGreaterThanOrEqual(150);
    expect(j.missed, explain(j, [daemon])).toEqual([]);
    expect(j.doubled, explain(j, [daemon])).toEqual([]);
    expect(j.wrong, explain(j, [daemon])).toEqual([]);
    expect(j.strayWrites).toEqual([]);
    expect(auditErrors).toEqual([]);
    expect(j.auditErrors).toEqual([]);
    // media of all five kinds took part
    expect(new Set(j.written.map((id) => j.verdicts.get(id)?.truth.media))).toEqual(new Set(['call', 'chat', 'message', 'email', 'callback']));
  });

  it('writes values of the right type and form', () => {
    for (const w of world.sandbox.org.writes) {
      for (const [key, value] of Object.entries(w.attributes)) {
        expect(FORMS[key], `unexpected key ${key}`).toBeDefined();
        expect(value, key).toMatch(FORMS[key]!);
      }
    }
  });

  it('drops a bad CRM value, writes the other fields and names the dropped one', () => {
    const write = world.sandbox.org.writes.find((w) => w.conversationId === badConversationId);
    expect(write).toBeDefined();
    expect(write!.attributes['crm.tier']).toBeUndefined();
    expect(write!.attributes['crm.accountId']).toBe('ACC-999999');
    const line = audit.find((l) => l.conversationId === badConversationId && l.event === 'enriched');
    expect((line?.dropped as { field: string }[] | undefined)?.map((d) => d.field)).toContain('Flow.tier');
  });

  it('uses the republished schema for the writes that follow', () => {
    // The oracle judged every write against the schema in force (or the one before, within 2 s).
    const after = world.sandbox.org.writes.filter((w) => w.at > republishedAt + 2_000);
    expect(after.length).toBeGreaterThan(20);
    for (const w of after) expect(Object.keys(w.attributes)).not.toContain('crm.language');
    const before = world.sandbox.org.writes.filter((w) => w.at < republishedAt);
    expect(before.filter((w) => w.attributes['crm.language'] !== undefined).length).toBeGreaterThan(20);
  });

  it('reconnects after the socket went half-open', () => {
    expect(world.sandbox.hub.counters.socketsOpened).toBeGreaterThan(1);
    const afterSilence = world.sandbox.org.writes.filter((w) => w.at > silencedAt + 2_000);
    expect(afterSilence.length).toBeGreaterThan(0);
  });

  it('costs one Genesys call per conversation in steady state (the PATCH)', () => {
    const { sandbox } = world;
    // Steady state ends at the first gap: the half-open socket, or any earlier reconnect (a busy
    // machine can miss a pong), which shows as a second catch-up query after the start-up one.
    const catchUps = sandbox.calls.filter((c) => c.endpoint === '/api/v2/analytics/conversations/activity/query');
    const steadyEnd = Math.min(silencedAt, catchUps[1]?.at ?? Number.POSITIVE_INFINITY);
    expect(steadyEnd - republishedAt).toBeGreaterThan(0);
    const steady = sandbox.calls.filter((c) => c.at < steadyEnd);
    const patches = steady.filter((c) => c.method === 'PATCH');
    const gets = steady.filter((c) => c.endpoint === '/api/v2/conversations/{conversationId}');
    const writesBefore = sandbox.org.writes.filter((w) => w.at < steadyEnd);
    expect(gets).toHaveLength(0);
    // Every applied write was one successful PATCH, and no conversation took two.
    expect(patches.filter((c) => c.status < 300).length).toBe(writesBefore.length);
    expect(new Set(writesBefore.map((w) => w.conversationId)).size).toBe(writesBefore.length);
    // A PATCH that found the conversation over (404) is audited as skipped: still one call each.
    const attempts = audit.filter((l) => Date.parse(l.ts) < steadyEnd && (l.latencyMs as { write?: number } | undefined)?.write !== undefined).length;
    expect(patches.length).toBeLessThanOrEqual(attempts + 20 /* in flight at the boundary */);
    const flowCalls = steady.filter((c) => c.endpoint.startsWith('/api/v2/flows'));
    expect(flowCalls.length).toBeLessThanOrEqual(4); // load at start, refresh after the republish
  });

  it('never logs a token, a secret or a customer phone or e-mail', () => {
    expect(daemon.stderr().length).toBeGreaterThan(1000);
    expect(leaksOf(world, [daemon], { clientSecret: SECRET, crmToken: CRM_TOKEN })).toEqual([]);
    const everything = daemon.stdout() + daemon.stderr() + readFileSync(world.auditFile, 'utf8');
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
