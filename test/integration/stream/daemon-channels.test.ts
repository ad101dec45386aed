/**
 * The daemon in process against the sandbox over real sockets, on the channel faults of the real
 * platform: a rotation after a quiet socket, a rotation at the 20-channel cap (played with a cap of
 * 3), and a channel reported gone with `{"result":"404"}`. Conversations connect in each window in
 * which the daemon cannot hear them; every one must end up written exactly once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/index.js';
import { Daemon, type DaemonOverrides } from '../../../src/daemon.js';
import { silentLogger } from '../../../src/log.js';
import { DEMO_FLOW_ID, startSandbox, type Sandbox } from '../../../src/sandbox/index.js';
import type { SandboxOptions } from '../../../src/sandbox/options.js';
import { customerRecord, startFakeCrm, type FakeCrm } from '../../../src/sandbox/crm/index.js';
import { memoryAuditSink } from '../../../src/sinks/audit.js';
import { waitFor } from '../../helpers/wait-for.js';

let sandbox: Sandbox | undefined;
let crm: FakeCrm | undefined;
let daemon: Daemon | undefined;

afterEach(async () => {
  await daemon?.stop();
  daemon = undefined;
  sandbox?.traffic.stop();
  await crm?.stop();
  await sandbox?.stop();
});

async function start(sandboxOptions: Partial<SandboxOptions>, overrides: DaemonOverrides = {}): Promise<{ sandbox: Sandbox; daemon: Daemon }> {
  sandbox = await startSandbox({ heartbeatIntervalMs: 200, ...sandboxOptions });
  crm = await startFakeCrm({});
  const config = parseConfig(
    {
      genesys: { gatewayUrl: sandbox.url, clientId: 'sandbox-client', clientSecret: 'sandbox-secret', requestsPerMinute: 6000 },
      queues: [{ name: 'Support DE' }, { name: 'Sales EN' }],
      flow: { id: DEMO_FLOW_ID },
      crm: { url: `${crm.url}/customers?phone={phone?}&email={email?}`, timeoutMs: 1_000 },
      attributes: { prefix: 'crm.', map: { 'Flow.accountId': '/account/id' } },
      audit: { file: '-' },
      http: { listen: 'off' },
      // The heartbeat watchdog is far off: only the behaviour under test can notice each fault in time.
      stream: { heartbeatTimeoutMs: 30_000, pongTimeoutMs: 1_000, reconnectMinMs: 20 },
      pipeline: { retryDelayMs: 50, maxAttempts: 2 },
    },
    { file: 'test.yaml', env: {} },
  );
  daemon = await Daemon.start(config, { logger: silentLogger, audit: memoryAuditSink() }, { backfillDebounceMs: 50, ...overrides });
  return { sandbox, daemon };
}

let n = 0;
/** A phone number the fake CRM knows. */
function knownPhone(): string {
  for (;;) {
    const phone = `+4930777${String(++n).padStart(5, '0')}`;
    if (customerRecord(phone) !== undefined) return phone;
  }
}

/** Starts a call and plays it until an agent is connected (no frame is re-sent after that). */
async function connectOne(s: Sandbox, queueIndex: number): Promise<string> {
  const queueId = s.options.queues[queueIndex]!.id;
  const conv = await s.traffic.startOne({ media: 'call', queueId, script: 'connect', until: 'started', customerAddress: `tel:${knownPhone()}` });
  while (s.traffic.step(conv.id) && !s.org.connected.has(conv.id));
  return conv.id;
}

/** Catch-up queries the daemon made so far. */
function catchUps(s: Sandbox): number {
  return s.calls.filter((c) => c.endpoint.includes('/analytics/')).length;
}

/** Waits until the start-up catch-up has run, so that it cannot be what finds later conversations. */
async function startUpCatchUpDone(s: Sandbox): Promise<number> {
  await waitFor(() => catchUps(s) >= 1, { what: 'the start-up catch-up' });
  return catchUps(s);
}

function writesOf(s: Sandbox, ids: readonly string[]): number[] {
  return ids.map((id) => s.org.writes.filter((w) => w.conversationId === id).length);
}

describe('daemon channels under platform faults', () => {
  it('a rotation 5 s after a channel went quiet (no close) catches up what connected in the silence', async () => {
    // Tokens live 6 s: the client renews after about 5.4 s, and a renewal rotates every channel.
    const { sandbox: s, daemon: d } = await start({ tokenLifetimeS: 6 });
    s.traffic.pause();
    const queries = await startUpCatchUpDone(s);
    const silencedAt = Date.now();
    expect(s.hub.silence()).toBe(1);
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push(await connectOne(s, i % 2));
    expect(writesOf(s, ids)).toEqual([0, 0, 0, 0]);
    await waitFor(() => (d.channelStats()[0]?.rotations ?? 0) >= 1 && d.channelStats()[0]?.state === 'open', { timeoutMs: 15_000, what: 'a rotation after the token renewal' });
    expect(Date.now() - silencedAt).toBeGreaterThanOrEqual(4_000);
    await waitFor(() => writesOf(s, ids).every((w) => w === 1), { timeoutMs: 10_000, what: 'every conversation written' });
    expect(catchUps(s)).toBeGreaterThan(queries);
    // Connected after the rotation: heard live.
    ids.push(await connectOne(s, 0));
    await waitFor(() => writesOf(s, ids).every((w) => w === 1), { what: 'the live one written' });
    await d.enricher.drain(1_000);
    expect(writesOf(s, ids)).toEqual([1, 1, 1, 1, 1]);
  });

  it('rotates at the channel cap without evicting a channel of its own, and misses nothing', async () => {
    // Three topics (two queues, one flow), one per channel, under a cap of three: at the cap.
    const { sandbox: s, daemon: d } = await start({ maxChannelsPerClient: 3, maxTopicsPerChannel: 1, socketClosingDelayMs: 2_000 }, { channelLimits: { maxChannels: 3, topicsPerChannel: 1 } });
    expect(d.channelStats()).toHaveLength(3);
    s.traffic.pause();
    await startUpCatchUpDone(s);
    const ids = [await connectOne(s, 0), await connectOne(s, 1)];
    await waitFor(() => writesOf(s, ids).every((w) => w === 1), { what: 'written live' });
    expect(s.hub.socketClosing()).toBe(3);
    ids.push(await connectOne(s, 0), await connectOne(s, 1));
    await waitFor(() => d.channelStats().every((c) => c.rotations >= 1 && c.state === 'open'), { timeoutMs: 10_000, what: 'every channel rotated' });
    ids.push(await connectOne(s, 0), await connectOne(s, 1));
    await waitFor(() => writesOf(s, ids).every((w) => w === 1), { timeoutMs: 10_000, what: 'every conversation written' });
    expect(s.hub.counters.connectedChannelsEvicted).toBe(0);
    await d.enricher.drain(1_000);
    expect(writesOf(s, ids)).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it('replaces a channel reported gone ({"result":"404"}) at once and catches up the gap', async () => {
    const { sandbox: s, daemon: d } = await start({});
    s.traffic.pause();
    await startUpCatchUpDone(s);
    const before = d.channelStats()[0]!.channelId!;
    const goneAt = Date.now();
    expect(s.hub.channelGone(before)).toBe(true);
    const ids = [await connectOne(s, 0), await connectOne(s, 1)];
    await waitFor(() => d.channelStats()[0]?.state === 'open' && d.channelStats()[0]?.channelId !== before, { what: 'a new channel' });
    // Well before the watchdog (30 s of silence) could have noticed.
    expect(Date.now() - goneAt).toBeLessThan(10_000);
    await waitFor(() => writesOf(s, ids).every((w) => w === 1), { what: 'every conversation written' });
    ids.push(await connectOne(s, 0));
    await waitFor(() => writesOf(s, ids).every((w) => w === 1), { what: 'the live one written' });
    await d.enricher.drain(1_000);
    expect(writesOf(s, ids)).toEqual([1, 1, 1]);
  });
});
