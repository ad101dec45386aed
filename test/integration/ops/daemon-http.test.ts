/**
 * Issue 4's acceptance for the ops endpoint, against the real daemon (the built CLI, `run
 * --http-listen 127.0.0.1:0`) and the sandbox: /metrics parses as Prometheus text and its counters
 * move as traffic flows; /readyz turns unready when the channel goes silent and ready again after
 * the reconnect. The daemon logs `ops http listening` with the bound URL; the test reads it there.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_FLOW_ID, startSandbox, type Sandbox } from '../../../src/sandbox/index.js';
import { startFakeCrm, type FakeCrm } from '../../../src/sandbox/crm/index.js';
import { startCli, type CliProcess } from '../../helpers/cli-process.js';
import { waitFor } from '../../helpers/wait-for.js';
import { parsePromText, sampleSum, type PromText } from './prom-text.js';

const SECRET = 'ops-client-secret-9d3e1a';
const CRM_TOKEN = 'ops-crm-token-5c7f20';
// The endpoint the channel calls (HEAD) before it reopens a socket on an existing channel.
const CHANNEL_ENDPOINT = '/api/v2/notifications/channels/{channelId}';
const HOLD_MS = 1_500;
const PATCH_ENDPOINT = 'PATCH /api/v2/conversations/{conversationId}/participants/{participantId}/attributes';

function configYaml(crm: FakeCrm, auditFile: string): string {
  return `
genesys:
  gatewayUrl: \${OPS_GATEWAY}
  clientId: sandbox-client
  clientSecret: \${OPS_SECRET}
  requestsPerMinute: 6000
queues:
  - name: Support DE
  - name: Sales EN
flow:
  id: ${DEMO_FLOW_ID}
crm:
  url: ${crm.url}/customers?phone={phone?}&email={email?}
  headers:
    Authorization: Bearer \${OPS_CRM_TOKEN}
attributes:
  prefix: crm.
  map:
    Flow.accountId: /account/id
    Flow.tier: /account/tier
audit:
  file: ${auditFile}
http:
  listen: "off"
stream:
  heartbeatTimeoutMs: 1000
  pongTimeoutMs: 1000
  reconnectMinMs: 20
backfill:
  intervalMs: 0
log:
  level: info
  format: json
`;
}

async function get(url: string): Promise<{ status: number; type: string; body: string }> {
  const res = await fetch(url);
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
}

describe('the daemon serves /metrics and /readyz (built CLI against the sandbox)', () => {
  let sandbox: Sandbox;
  let crm: FakeCrm;
  let daemon: CliProcess;
  let dir: string;
  let opsUrl: string;

  const scrape = async (): Promise<PromText> => {
    const reply = await get(`${opsUrl}/metrics`);
    expect(reply.status).toBe(200);
    expect(reply.type).toMatch(/^text\/plain; version=0\.0\.4/);
    return parsePromText(reply.body);
  };
  const readyz = async (): Promise<{ status: number; body: { ready: boolean; checks: { name: string; ok: boolean; detail: string }[] } }> => {
    const reply = await get(`${opsUrl}/readyz`);
    return { status: reply.status, body: JSON.parse(reply.body) as { ready: boolean; checks: { name: string; ok: boolean; detail: string }[] } };
  };

  beforeAll(async () => {
    sandbox = await startSandbox({ heartbeatIntervalMs: 200, requestsPerMinute: 100_000, clients: [{ clientId: 'sandbox-client', clientSecret: SECRET }] });
    crm = await startFakeCrm({ token: CRM_TOKEN, latencyMs: 2 });
    dir = mkdtempSync(join(tmpdir(), 'ops-http-'));
    const configFile = join(dir, 'config.yaml');
    writeFileSync(configFile, configYaml(crm, join(dir, 'audit.jsonl')));
    // The flag overrides the file's `off`: this also proves `--http-listen` reaches the daemon.
    daemon = startCli(['run', '--config', configFile, '--http-listen', '127.0.0.1:0'], { OPS_GATEWAY: sandbox.url, OPS_SECRET: SECRET, OPS_CRM_TOKEN: CRM_TOKEN });
    await daemon.waitForOutput(/"message":"ops http listening"/);
    const line = (daemon.stderr() + daemon.stdout()).split('\n').find((l) => l.includes('"message":"ops http listening"'))!;
    opsUrl = (JSON.parse(line) as { url: string }).url;
    expect(opsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  }, 30_000);

  afterAll(async () => {
    sandbox.traffic.stop();
    sandbox.faults.clear();
    await daemon.stop('SIGKILL');
    await crm.stop();
    await sandbox.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers /healthz', async () => {
    // The endpoint listens from the first second; the state says when start-up is done.
    const reply = await waitFor(async () => {
      const r = await get(`${opsUrl}/healthz`);
      return r.status === 200 && (JSON.parse(r.body) as { state?: string }).state === 'running' ? r : undefined;
    }, { timeoutMs: 15_000, what: '/healthz state running' });
    expect(JSON.parse(reply.body)).toEqual({ status: 'ok', state: 'running' });
  });

  it('moves /metrics counters as the sandbox drives traffic', async () => {
    const before = await scrape();
    expect(before.types.get('genesys_enricher_decisions_total')).toBe('counter');
    const writesBefore = sandbox.org.writes.length;
    const decisionsBefore = sampleSum(before, 'genesys_enricher_decisions_total');
    const patchesBefore = patches(before);

    const played = sandbox.traffic.play(12, { ratePerSec: 40, speed: 30, seed: 7 }).catch(() => undefined);
    await waitFor(() => sandbox.org.writes.length >= writesBefore + 5, { timeoutMs: 15_000, what: 'five enrichments' });
    const after = await waitFor(async () => {
      const text = await scrape();
      return sampleSum(text, 'genesys_enricher_decisions_total') >= decisionsBefore + 5 ? text : undefined;
    }, { timeoutMs: 5_000, what: 'decisions in /metrics' });

    expect(patches(after)).toBeGreaterThanOrEqual(patchesBefore + 5);
    expect(sampleSum(after, 'genesys_enricher_genesys_calls_total')).toBeGreaterThan(sampleSum(before, 'genesys_enricher_genesys_calls_total'));
    expect(sampleSum(after, 'genesys_enricher_conversations_seen_total')).toBeGreaterThan(sampleSum(before, 'genesys_enricher_conversations_seen_total'));
    // Gauges read on demand before a scrape (daemon/observe.ts).
    expect(after.samples.find((s) => s.name === 'genesys_enricher_channels' && s.labels.state === 'open')?.value).toBeGreaterThanOrEqual(1);
    expect(after.samples.some((s) => s.name === 'genesys_enricher_schema_info' && s.value === 1)).toBe(true);
    sandbox.traffic.stop();
    await played;
  }, 30_000);

  it('turns /readyz unready when the channel goes silent, and ready again after the reconnect', async () => {
    await waitFor(async () => (await readyz()).status === 200, { timeoutMs: 5_000, what: '/readyz 200' });
    const reconnectsBefore = sampleSum(await scrape(), 'genesys_enricher_reconnects_total');

    // Hold the reconnect (the channel check before the new socket) for a while, so the unready
    // spell outlasts many polls; without it the reconnect takes only tens of ms.
    sandbox.faults.setLatency(CHANNEL_ENDPOINT, HOLD_MS);
    expect(sandbox.hub.silence()).toBeGreaterThan(0);
    const unready = await waitFor(async () => {
      const r = await readyz();
      return r.status === 503 ? r : undefined;
    }, { timeoutMs: 5_000, intervalMs: 20, what: '/readyz 503 after the silence' });
    const unreadyAt = Date.now();
    expect(unready.body.ready).toBe(false);
    expect(unready.body.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual([expect.stringMatching(/^channel /)]);

    const ready = await waitFor(async () => {
      const r = await readyz();
      return r.status === 200 ? r : undefined;
    }, { timeoutMs: 10_000, what: '/readyz 200 after the reconnect' });
    sandbox.faults.setLatency(CHANNEL_ENDPOINT, 0);
    // Ready again only once the held reconnect went through, not by some other path.
    expect(Date.now() - unreadyAt).toBeGreaterThanOrEqual(HOLD_MS / 2);
    expect(ready.body.checks.every((c) => c.ok)).toBe(true);
    expect(sampleSum(await scrape(), 'genesys_enricher_reconnects_total')).toBeGreaterThan(reconnectsBefore);
  }, 30_000);
});

function patches(text: PromText): number {
  return text.samples
    .filter((s) => s.name === 'genesys_enricher_genesys_calls_total' && s.labels.endpoint === PATCH_ENDPOINT && /^2\d\d$/.test(s.labels.status ?? ''))
    .reduce((sum, s) => sum + s.value, 0);
}
