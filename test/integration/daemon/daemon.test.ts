/**
 * The daemon in-process against the sandbox: make-before-break rotation with overlapping sockets
 * deduped, the CRM circuit breaker visible in metrics, and a restart that finds its own marker.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/index.js';
import { Daemon } from '../../../src/daemon.js';
import { silentLogger } from '../../../src/log.js';
import { observeMetrics } from '../../../src/daemon/observe.js';
import { DEMO_FLOW_ID, startSandbox, type Sandbox } from '../../../src/sandbox/index.js';
import { customerRecord, startFakeCrm, type FakeCrm } from '../../../src/sandbox/crm/index.js';
import { memoryAuditSink, type AuditLine } from '../../../src/sinks/audit.js';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTcpGate, type TcpGate } from '../../helpers/tcp-gate.js';
import { waitFor } from '../../helpers/wait-for.js';

let sandbox: Sandbox | undefined;
let crm: FakeCrm | undefined;
const running: Daemon[] = [];
let gate: TcpGate | undefined;

afterEach(async () => {
  for (const d of running.splice(0)) await d.stop();
  sandbox?.traffic.stop();
  await crm?.stop();
  await sandbox?.stop();
  await gate?.close();
  gate = undefined;
});

async function setup(extra: Record<string, unknown> = {}, auditFile = '-', port = 0) {
  sandbox = await startSandbox({ heartbeatIntervalMs: 200, socketClosingDelayMs: 600, port });
  crm = await startFakeCrm({});
  const config = parseConfig(
    {
      genesys: { gatewayUrl: sandbox.url, clientId: 'sandbox-client', clientSecret: 'sandbox-secret', requestsPerMinute: 6000 },
      queues: [{ name: 'Support DE' }],
      flow: { id: DEMO_FLOW_ID },
      crm: { url: `${crm.url}/customers?phone={phone?}&email={email?}`, timeoutMs: 300, circuitBreaker: { failureThreshold: 3, openMs: 300 } },
      attributes: { prefix: 'crm.', map: { 'Flow.accountId': '/account/id' } },
      audit: { file: auditFile },
      http: { listen: 'off' },
      // Liveness with headroom over the sandbox's 200 ms heartbeat, on a machine shared with other tests.
      stream: { heartbeatTimeoutMs: 1_000, pongTimeoutMs: 1_000, reconnectMinMs: 20 },
      pipeline: { retryDelayMs: 50, maxAttempts: 2 },
      ...extra,
    },
    { file: 'test.yaml', env: {} },
  );
  const start = async () => {
    const audit = memoryAuditSink();
    // With a real audit file the daemon writes it itself (the restart test reads it back).
    const daemon = await Daemon.start(config, { logger: silentLogger, ...(auditFile === '-' && { audit }) });
    running.push(daemon);
    return { daemon, audit };
  };
  return { sandbox, crm, start };
}

let n = 0;
/** A phone number the fake CRM knows. */
function knownPhone(): string {
  for (;;) {
    const phone = `+4930555${String(++n).padStart(5, '0')}`;
    if (customerRecord(phone) !== undefined) return phone;
  }
}

describe('daemon (in-process) against the sandbox', () => {
  it('rotates make-before-break on socket_closing; frames from both sockets are deduped', async () => {
    const { sandbox, start } = await setup();
    const { daemon, audit } = await start();
    const queueId = sandbox.options.queues[0]!.id;
    sandbox.traffic.pause();
    const conv = await sandbox.traffic.startOne({ media: 'call', queueId, script: 'connect', until: 'started', customerAddress: `tel:${knownPhone()}` });
    while (sandbox.traffic.step(conv.id) && !sandbox.org.connected.has(conv.id));
    const opened = sandbox.hub.counters.socketsOpened;
    sandbox.hub.socketClosing(undefined, 600);
    // Keep the snapshot coming through the rotation, so frames arrive on the old socket, on both
    // while they overlap, and on the new one.
    await waitFor(() => {
      sandbox.org.publishConversation(conv);
      return sandbox.hub.counters.socketsOpened > opened && daemon.channelStats()[0]?.state === 'open' && (daemon.channelStats()[0]?.rotations ?? 0) >= 1;
    }, { intervalMs: 5, what: 'rotation done' });
    for (let i = 0; i < 20; i++) sandbox.org.publishConversation(conv);
    await waitFor(() => sandbox.org.writes.some((w) => w.conversationId === conv.id));
    await daemon.enricher.drain(1_000).then(() => undefined);
    expect(daemon.channelStats()[0]?.rotations).toBeGreaterThanOrEqual(1);
    // Deduped: the snapshots that came through both sockets led to one write and one decision.
    expect(sandbox.org.writes.filter((w) => w.conversationId === conv.id)).toHaveLength(1);
    expect(audit.lines.filter((l) => l.conversationId === conv.id)).toHaveLength(1);
  });

  it('shows the CRM circuit breaker opening and closing in metrics', async () => {
    const { sandbox, crm, start } = await setup();
    const { daemon, audit } = await start();
    const queueId = sandbox.options.queues[0]!.id;
    const breakerOpen = async () => {
      observeMetrics(daemon);
      return (await daemon.metrics.crmBreakerOpen.get()).values[0]?.value;
    };
    crm.setErrorRate(1, 503);
    for (let i = 0; i < 4; i++) await sandbox.traffic.startOne({ media: 'call', queueId, script: 'connect', speed: 50, until: 'connected', customerAddress: `tel:${knownPhone()}` });
    await waitFor(async () => (await breakerOpen()) === 1, { what: 'breaker open' });
    expect(audit.lines.some((l) => l.event === 'failed' && l.reason?.startsWith('crm-'))).toBe(true);
    crm.setErrorRate(0);
    await waitFor(async () => {
      await sandbox.traffic.startOne({ media: 'call', queueId, script: 'connect', speed: 50, until: 'connected', customerAddress: `tel:${knownPhone()}` });
      return (await breakerOpen()) === 0;
    }, { timeoutMs: 5_000, intervalMs: 200, what: 'breaker closed again' });
  });

  it('a restarted daemon settles what its trail records and does not fetch or write again', async () => {
    const auditFile = join(mkdtempSync(join(tmpdir(), 'restart-')), 'audit.jsonl');
    const { sandbox, start } = await setup({}, auditFile);
    const queueId = sandbox.options.queues[0]!.id;
    const first = await start();
    sandbox.traffic.pause();
    const conv = await sandbox.traffic.startOne({ media: 'call', queueId, script: 'connect', until: 'started', customerAddress: `tel:${knownPhone()}` });
    while (sandbox.traffic.step(conv.id) && !sandbox.org.connected.has(conv.id));
    await waitFor(() => sandbox.org.writes.length === 1);
    await first.daemon.stop();
    running.splice(running.indexOf(first.daemon), 1);
    const callsBefore = sandbox.calls.length;
    const second = await start();
    // The trail records the conversation as enriched: the restart settles it without a GET.
    const lines = () => readFileSync(auditFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as AuditLine).filter((l) => l.conversationId === conv.id);
    await waitFor(() => second.daemon.backfill.runs >= 1);
    expect(lines().map((l) => [l.event, l.reason, l.source])).toEqual([['enriched', undefined, 'live']]);
    expect(sandbox.calls.slice(callsBefore).filter((c) => c.method === 'GET' && c.endpoint === '/api/v2/conversations/{conversationId}')).toEqual([]);
    expect(sandbox.org.writes).toHaveLength(1);
  });
});

describe('daemon start-up', () => {
  it('waits out a Genesys that is not there yet, then starts', async () => {
    // The gate owns the port throughout: it cuts every connection until the sandbox is up.
    gate = await startTcpGate();
    const port = gate.port;
    crm = await startFakeCrm({});
    const config = parseConfig(
      {
        genesys: { gatewayUrl: `http://127.0.0.1:${port}`, clientId: 'sandbox-client', clientSecret: 'sandbox-secret' },
        queues: [{ name: 'Support DE' }],
        flow: { id: DEMO_FLOW_ID },
        crm: { url: `${crm.url}/customers?phone={phone?}` },
        attributes: { map: { 'Flow.accountId': '/account/id' } },
        audit: { file: '-' },
        http: { listen: 'off' },
      },
      { file: 'test.yaml', env: {} },
    );
    const warnings: string[] = [];
    const logger = { ...silentLogger, warn: (m: string) => { warnings.push(m); }, child: () => logger };
    const starting = Daemon.start(config, { logger, audit: memoryAuditSink() });
    await waitFor(() => warnings.length >= 1, { what: 'a first failed login' });
    sandbox = await startSandbox();
    gate.open(sandbox.port);
    const daemon = await starting;
    running.push(daemon);
    expect(warnings[0]).toMatch(/not reachable at start-up/);
    expect(daemon.channelStats()[0]?.state).toBe('open');
  });

  it('fails at once on wrong credentials', async () => {
    sandbox = await startSandbox();
    const config = parseConfig(
      {
        genesys: { gatewayUrl: sandbox.url, clientId: 'sandbox-client', clientSecret: 'wrong' },
        queues: [{ name: 'Support DE' }],
        flow: { id: DEMO_FLOW_ID },
        crm: { url: 'http://127.0.0.1:9/c?p={phone}' },
        attributes: { map: { 'Flow.accountId': '/account/id' } },
        audit: { file: '-' },
        http: { listen: 'off' },
      },
      { file: 'test.yaml', env: {} },
    );
    const started = Date.now();
    await expect(Daemon.start(config, { logger: silentLogger, audit: memoryAuditSink() })).rejects.toMatchObject({ status: 401 });
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
