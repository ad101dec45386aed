/**
 * Three daemons in-process with one sandbox and one redis-server, on a budget window shrunk to
 * 3 s: the three together never send more than the budget in any sliding window (start-up
 * included), earn no 429, and write every conversation at most once with one `enriched` line.
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

const WINDOW_MS = 3_000;

let n = 0;
/** A phone number the fake CRM knows. */
function knownPhone(): string {
  for (;;) {
    const phone = `+4930888${String(++n).padStart(5, '0')}`;
    if (customerRecord(phone) !== undefined) return phone;
  }
}
const BUDGET = 12;

function busiestWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (j < sorted.length && sorted[j]! < sorted[i]! + windowMs) j++;
    most = Math.max(most, j - i);
  }
  return most;
}

describe.skipIf(skipWithoutRedis())('three daemons on one budget', () => {
  let redis: RedisServer;
  let sandbox: Sandbox | undefined;
  let crm: FakeCrm | undefined;
  const running: Daemon[] = [];

  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterEach(async () => {
    for (const d of running.splice(0)) await d.stop();
    sandbox?.traffic.stop();
    await crm?.stop();
    await sandbox?.stop();
  });
  afterAll(async () => {
    await redis.stop();
  });

  it('never exceed the budget together in any sliding window and write each conversation once', { timeout: 45_000 }, async () => {
    sandbox = await startSandbox({ heartbeatIntervalMs: 300, requestsPerMinute: BUDGET, rateWindowMs: WINDOW_MS });
    crm = await startFakeCrm({});
    const config = parseConfig(
      {
        genesys: { gatewayUrl: sandbox.url, clientId: 'sandbox-client', clientSecret: 'sandbox-secret', requestsPerMinute: BUDGET },
        queues: [{ name: 'Support DE' }, { name: 'Sales EN' }],
        flow: { id: DEMO_FLOW_ID },
        crm: { url: `${crm.url}/customers?phone={phone?}&email={email?}&externalContactId={externalContactId?}`, timeoutMs: 1_000 },
        attributes: { prefix: 'crm.', map: { 'Flow.accountId': '/account/id' } },
        identity: { chat: ['attr:context.email', 'attr:context.phoneNumber', 'externalContact'], message: ['address', 'attr:customer.email', 'externalContact'] },
        audit: { file: '-' },
        http: { listen: 'off' },
        backfill: { intervalMs: 0 },
        cluster: { name: 'budget-daemons', redis: redis.url, heartbeatMs: 200, connectTimeoutMs: 2_000 },
      },
      { file: 'test.yaml', env: {} },
    );
    const members: { daemon: Daemon; audit: ReturnType<typeof memoryAuditSink> }[] = [];
    for (let i = 0; i < 3; i++) {
      const audit = memoryAuditSink();
      const daemon = await Daemon.start(config, { logger: silentLogger, audit }, { windowMs: WINDOW_MS });
      running.push(daemon);
      members.push({ daemon, audit });
    }
    // Conversations that connect and stay connected (stepped by hand), over both queues.
    sandbox.traffic.pause();
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const queueId = sandbox.options.queues[i % 2]!.id;
      const conv = await sandbox.traffic.startOne({ media: 'call', queueId, script: 'connect', until: 'started', customerAddress: `tel:${knownPhone()}` });
      while (sandbox.traffic.step(conv.id) && !sandbox.org.connected.has(conv.id));
      ids.push(conv.id);
    }
    await waitFor(() => members.reduce((n, m) => n + m.audit.lines.length, 0) >= ids.length, { timeoutMs: 30_000, what: 'a decision for every conversation' });

    const api = sandbox.calls.filter((c) => !c.endpoint.includes('/oauth/'));
    const busiest = busiestWindow(api.map((c) => c.at), WINDOW_MS);
    const enriched = members.flatMap((m) => m.audit.lines.filter((l) => l.event === 'enriched'));
    const perConversation = new Map<string, number>();
    for (const w of sandbox.org.writes) perConversation.set(w.conversationId, (perConversation.get(w.conversationId) ?? 0) + 1);
    console.log(
      `cluster budget: 3 daemons, ${api.length} API calls, busiest ${WINDOW_MS} ms window ${busiest} (budget ${BUDGET}); ` +
        `${perConversation.size} conversations written, ${enriched.length} enriched lines, writes per written conversation ${(sandbox.org.writes.length / Math.max(1, perConversation.size)).toFixed(2)}`,
    );
    expect(busiest).toBeLessThanOrEqual(BUDGET);
    expect(api.filter((c) => c.status === 429)).toEqual([]);
    expect([...perConversation.values()].filter((n) => n > 1)).toEqual([]);
    expect([...perConversation.keys()].sort()).toEqual([...ids].sort());
    expect(enriched.map((l) => l.conversationId).sort()).toEqual([...perConversation.keys()].sort());
  });
});
