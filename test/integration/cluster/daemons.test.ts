/**
 * Two daemons in-process with one sandbox and one redis-server, both watching every queue: each
 * conversation is written once between them, with one `enriched` line in their trails together;
 * readiness names the cluster; and while Redis is down nothing is written, then everything is.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/index.js';
import { Daemon } from '../../../src/daemon.js';
import { silentLogger } from '../../../src/log.js';
import { customerRecord, startFakeCrm, type FakeCrm } from '../../../src/sandbox/crm/index.js';
import { DEMO_FLOW_ID, startSandbox, type Sandbox } from '../../../src/sandbox/index.js';
import { memoryAuditSink } from '../../../src/sinks/audit.js';
import { RedisServer, skipWithoutRedis } from '../../helpers/redis-server.js';
import { waitFor } from '../../helpers/wait-for.js';

let n = 0;
function knownPhone(): string {
  for (;;) {
    const phone = `+4930777${String(++n).padStart(5, '0')}`;
    if (customerRecord(phone) !== undefined) return phone;
  }
}

describe.skipIf(skipWithoutRedis())('two daemons sharing one Redis', () => {
  let redis: RedisServer;
  let sandbox: Sandbox | undefined;
  let crm: FakeCrm | undefined;
  const running: Daemon[] = [];

  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterEach(async () => {
    await redis.resume();
    for (const d of running.splice(0)) await d.stop();
    sandbox?.traffic.stop();
    await crm?.stop();
    await sandbox?.stop();
  });
  afterAll(async () => {
    await redis.stop();
  });

  async function cluster(count: number, name: string) {
    sandbox = await startSandbox({ heartbeatIntervalMs: 200 });
    crm = await startFakeCrm({});
    const config = parseConfig(
      {
        genesys: { gatewayUrl: sandbox.url, clientId: 'sandbox-client', clientSecret: 'sandbox-secret', requestsPerMinute: 6000 },
        queues: [{ name: 'Support DE' }],
        flow: { id: DEMO_FLOW_ID },
        crm: { url: `${crm.url}/customers?phone={phone?}&email={email?}`, timeoutMs: 500 },
        attributes: { prefix: 'crm.', map: { 'Flow.accountId': '/account/id' } },
        audit: { file: '-' },
        http: { listen: 'off' },
        stream: { heartbeatTimeoutMs: 400, pongTimeoutMs: 300, reconnectMinMs: 20 },
        backfill: { intervalMs: 0 },
        pipeline: { retryDelayMs: 50, maxAttempts: 2 },
        cluster: { name, redis: redis.url, heartbeatMs: 200, connectTimeoutMs: 1_000 },
      },
      { file: 'test.yaml', env: {} },
    );
    const members = [];
    for (let i = 0; i < count; i++) {
      const audit = memoryAuditSink();
      const daemon = await Daemon.start(config, { logger: silentLogger, audit });
      running.push(daemon);
      members.push({ daemon, audit });
    }
    return members;
  }

  it('writes every conversation once between them and reports the cluster in readiness', async () => {
    const members = await cluster(2, 'two-daemons');
    const queueId = sandbox!.options.queues[0]!.id;
    sandbox!.traffic.pause();
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const conv = await sandbox!.traffic.startOne({ media: 'call', queueId, script: 'connect', until: 'started', customerAddress: `tel:${knownPhone()}` });
      while (sandbox!.traffic.step(conv.id) && !sandbox!.org.connected.has(conv.id));
      ids.push(conv.id);
    }
    const enriched = () => members.flatMap((m) => m.audit.lines.filter((l) => l.event === 'enriched'));
    await waitFor(() => enriched().length >= ids.length, { timeoutMs: 15_000, what: 'all enriched' });
    await waitFor(() => members.every((m) => m.daemon.cluster!.status().waiting === 0 && m.daemon.enricher.depth === 0), { what: 'idle' });
    const written = sandbox!.org.writes.map((w) => w.conversationId);
    expect(written.sort()).toEqual([...ids].sort());
    expect(enriched().map((l) => l.conversationId).sort()).toEqual([...ids].sort());
    // Both took part (each has seen frames of every conversation; the claim decides who writes).
    const ready = members[0]!.daemon.readiness();
    const check = ready.checks.find((c) => c.name === 'cluster');
    expect(check?.ok).toBe(true);
    expect(check?.detail).toMatch(/^Redis reachable; 2 instances alive/);
    // Each reports its channels with its heartbeat; readiness adds up those on this OAuth client.
    const each = members.map((m) => m.daemon.channelStats().length);
    await waitFor(() => members[0]!.daemon.cluster!.status().channels.onClient === each[0]! + each[1]!, { what: 'channels reported' });
    expect(members[0]!.daemon.readiness().checks.find((c) => c.name === 'cluster')?.detail).toContain(`; ${each[0]! + each[1]!} of 20 channels of the OAuth client`);
  });

  it('writes nothing while Redis is down and everything once when it is back', async () => {
    const members = await cluster(2, 'outage');
    const queueId = sandbox!.options.queues[0]!.id;
    await redis.pause();
    // Conversations that connect and stay connected (the traffic is stepped by hand) while Redis is down.
    sandbox!.traffic.pause();
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const conv = await sandbox!.traffic.startOne({ media: 'call', queueId, script: 'connect', until: 'started', customerAddress: `tel:${knownPhone()}` });
      while (sandbox!.traffic.step(conv.id) && !sandbox!.org.connected.has(conv.id));
      ids.push(conv.id);
    }
    await waitFor(() => members.every((m) => m.daemon.cluster!.status().waiting >= 4), { timeoutMs: 10_000, what: 'both hold the conversations' });
    expect(sandbox!.org.writes).toEqual([]);
    const check = members[0]!.daemon.readiness().checks.find((c) => c.name === 'cluster');
    expect(check?.ok).toBe(false);
    expect(check?.detail).toMatch(/^Redis unreachable for \d+ s: nothing is claimed or written/);
    const returned = Date.now();
    await redis.resume();
    await waitFor(() => sandbox!.org.writes.length >= ids.length, { timeoutMs: 10_000, what: 'written after Redis returned' });
    console.log(`cluster: ${ids.length} conversations held during a Redis outage written ${Date.now() - returned} ms after it returned`);
    await waitFor(() => members.every((m) => m.daemon.cluster!.status().waiting === 0 && m.daemon.enricher.depth === 0), { what: 'idle' });
    expect(sandbox!.org.writes.map((w) => w.conversationId).sort()).toEqual([...ids].sort());
  });
});
