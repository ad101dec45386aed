/**
 * Signals, as systemd and pm2 send them, to the built CLI against the sandbox: SIGTERM during a
 * burst abandons nothing the daemon began, and a restart catches up the rest (judged by the
 * oracle from the sandbox's and the CRM's records); a second signal exits at once; a drain that
 * times out with work in flight still exits; SIGHUP applies a new queue without disturbing the
 * others; an invalid config on SIGHUP is rejected while the daemon keeps running.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_FLOW_ID } from '../../src/sandbox/index.js';
import { customerRecord } from '../../src/sandbox/crm/index.js';
import { DEMO_INPUT_SCHEMA } from '../../src/sandbox/org/flows.js';
import { parseAuditStrict } from '../helpers/audit-file.js';
import { startCli, type CliProcess } from '../helpers/cli-process.js';
import { crmUrl, explain, identityYaml, judgeWorld, leaksOf, startWorld, type World } from '../helpers/e2e-world.js';
import { waitFor } from '../helpers/wait-for.js';

const SECRET = 'signals-secret-93e1';
const MAP = { 'Flow.accountId': '/account/id', 'Flow.tier': '/account/tier' };

function yaml(world: World, queueNames: readonly string[], extra: { drainTimeoutMs?: number; crmTimeoutMs?: number } = {}): string {
  return `
genesys:
  gatewayUrl: \${GW}
  clientId: sandbox-client
  clientSecret: \${SECRET}
  requestsPerMinute: 6000
  maxConcurrentRequests: 20
queues:
${queueNames.map((n) => `  - name: ${n}`).join('\n')}
flow:
  id: ${DEMO_FLOW_ID}
crm:
  url: ${crmUrl(world.crm)}
  timeoutMs: ${String(extra.crmTimeoutMs ?? 2000)}
attributes:
  prefix: crm.
  map:
${Object.entries(MAP).map(([k, v]) => `    ${k}: ${v}`).join('\n')}
${identityYaml()}audit:
  file: ${world.auditFile}
http:
  listen: "off"
stream:
  heartbeatTimeoutMs: 1500
  pongTimeoutMs: 1500
  reconnectMinMs: 20
pipeline:
  drainTimeoutMs: ${String(extra.drainTimeoutMs ?? 5000)}
log:
  level: info
  format: json
`;
}

describe('signals', () => {
  let world: World | undefined;
  const daemons: CliProcess[] = [];

  afterEach(async () => {
    for (const d of daemons.splice(0)) await d.stop('SIGKILL');
    await world?.stop();
    world = undefined;
  });

  async function setup(queueNames: readonly string[], extra: Parameters<typeof yaml>[2] = {}) {
    const w = await startWorld({ prefix: 'signals', secret: SECRET, crmLatencyMs: 5 });
    world = w;
    writeFileSync(w.configFile, yaml(w, queueNames, extra));
    return w;
  }

  async function start(w: World): Promise<CliProcess> {
    const d = startCli(['run', '--config', w.configFile], { GW: w.sandbox.url, SECRET });
    daemons.push(d);
    await d.waitForOutput(/daemon started/);
    return d;
  }

  const queueIds = (w: World, names: readonly string[]) => new Set(w.sandbox.options.queues.filter((q) => names.includes(q.name)).map((q) => q.id));

  it('SIGTERM during a burst abandons nothing begun; after a restart every connected conversation is written exactly once', async () => {
    const names = ['Support DE', 'Sales EN', 'Billing FR'];
    const w = await setup(names, { crmTimeoutMs: 10_000 });
    const first = await start(w);
    // Slow lookups keep enrichments in flight (and queued) through the stop of the channels and
    // the catch-up, until the drain itself.
    w.crm.setLatency(1_000);
    // Slow enough that conversations outlive the stop and the restart; no repeat customers, so
    // every enrichment is exactly one CRM request.
    // No transfers or requeues: the world is frozen below, and a conversation frozen between two
    // queues has no agent connected for the catch-up to see.
    void w.sandbox.traffic.play(300, { ratePerSec: 150, speed: 30, seed: 3, repeatCustomerShare: 0, transferShare: 0, requeueShare: 0 }).catch(() => undefined);
    await waitFor(() => w.sandbox.org.writes.length >= 40, { timeoutMs: 20_000 });
    // Freeze the world, then stop: every conversation connected before the stop stays live until
    // the second run (one that ended while no daemon listened could not be written by anyone).
    w.sandbox.traffic.stop();
    const code = await first.stop('SIGTERM');
    expect(code).toBe(0);
    expect(first.stderr()).toMatch(/daemon stopped/);

    // Nothing the first run began was abandoned: every CRM answer it got ended in a decision.
    const lookups = w.crm.requests();
    const firstRun = parseAuditStrict(readFileSync(w.auditFile, 'utf8'));
    expect(firstRun.errors).toEqual([]);
    // A line with a CRM outcome made one request, except a cache hit and a conversation without a key.
    const decidedAfterLookup = firstRun.lines.filter((l) => typeof l.crm === 'string' && l.crm !== 'hit' && l.reason !== 'no-lookup-key').length;
    expect(decidedAfterLookup, 'CRM lookups of the first run without an audited decision').toBe(lookups);
    expect(lookups).toBeGreaterThan(w.sandbox.org.writes.length - 1);

    // The second run catches up what the first did not start.
    w.crm.setLatency(5);
    const second = await start(w);
    const judgeNow = () =>
      judgeWorld(w, { watchedQueueIds: queueIds(w, names), map: MAP, prefix: 'crm.', schemas: [{ from: 0, schema: DEMO_INPUT_SCHEMA }],
        // A call that hung up within 3 s of connecting, while every CRM answer took 1 s and lookups
        // queued behind each other, ended before anyone could write it (the PATCH finds it over).
        minLiveMs: 3_000 });
    await waitFor(() => judgeNow().missed.length === 0, { timeoutMs: 20_000, what: 'the catch-up of the second run' }).catch(() => undefined);
    expect(await second.stop('SIGTERM')).toBe(0);
    const j = judgeNow();
    console.log(`signals: ${j.summary()}`);
    expect(j.expected.length).toBeGreaterThan(40);
    expect(j.missed, explain(j, daemons)).toEqual([]);
    expect(j.doubled, explain(j, daemons)).toEqual([]);
    expect(j.wrong, explain(j, daemons)).toEqual([]);
    expect(j.auditErrors).toEqual([]);
    expect(leaksOf(w, daemons, { clientSecret: SECRET })).toEqual([]);
  }, 90_000);

  it('a second SIGTERM during the drain exits at once with 1', async () => {
    const names = ['Support DE'];
    const w = await setup(names, { drainTimeoutMs: 60_000, crmTimeoutMs: 60_000 });
    const d = await start(w);
    w.crm.setTimeoutRate(1); // every lookup hangs: the drain waits for them
    // A caller the CRM knows, with a number: a random sandbox caller may withhold it (no lookup at all).
    let n = 0;
    const nextPhone = (): string => `+4915300${String(++n).padStart(5, '0')}`;
    let phone = nextPhone();
    while (customerRecord(phone) === undefined) phone = nextPhone();
    const one = await w.sandbox.traffic.startOne({
      media: 'call', queueId: [...queueIds(w, names)][0] ?? '', script: 'connect', speed: 50, until: 'connected', customerAddress: `tel:${phone}`,
    });
    await waitFor(() => w.crm.inFlight() > 0, { timeoutMs: 10_000, what: `a CRM lookup in flight for ${one.id}` });
    d.child.kill('SIGTERM');
    await d.waitForOutput(/"stopping"|stopping/);
    d.child.kill('SIGTERM');
    const code = await Promise.race([d.exited, new Promise((r) => setTimeout(r, 10_000, 'still running'))]);
    expect(code).toBe(1);
  }, 60_000);

  it('a drain that times out with work in flight exits 0, says so, and the next run writes that work once', async () => {
    const names = ['Support DE'];
    const w = await setup(names, { drainTimeoutMs: 1_000, crmTimeoutMs: 60_000 });
    const first = await start(w);
    w.crm.setTimeoutRate(1);
    const queueId = [...queueIds(w, names)][0] ?? '';
    let n = 0;
    const knownPhone = (): string => {
      for (;;) {
        const phone = `+4915200${String(++n).padStart(5, '0')}`;
        if (customerRecord(phone) !== undefined) return phone;
      }
    };
    // Three calls stepped to "connected" with the traffic paused: they stay connected until the next run.
    w.sandbox.traffic.pause();
    for (let i = 0; i < 3; i++) {
      const started = w.sandbox.traffic.startOne({ media: 'call', queueId, script: 'connect', speed: 50, customerAddress: `tel:${knownPhone()}` });
      const conv = await waitFor(() => started, { what: 'a started call' });
      while (!w.sandbox.org.connected.has(conv.id)) expect(w.sandbox.traffic.step(conv.id)).toBe(true);
    }
    await waitFor(() => w.crm.inFlight() >= 3, { timeoutMs: 10_000, what: 'three lookups in flight' });
    const stoppedAt = Date.now();
    first.child.kill('SIGTERM');
    const code = await Promise.race([first.exited, new Promise((r) => setTimeout(r, 15_000, 'still running'))]);
    expect(code).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(15_000);
    expect(first.stderr()).toMatch(/stopped with enrichments still in flight/);
    expect(w.sandbox.org.writes).toHaveLength(0);

    w.crm.setTimeoutRate(0);
    const second = await start(w);
    const judgeNow = () => judgeWorld(w, { watchedQueueIds: queueIds(w, names), map: MAP, prefix: 'crm.', schemas: [{ from: 0, schema: DEMO_INPUT_SCHEMA }] });
    await waitFor(() => judgeNow().written.length === 3, { timeoutMs: 15_000, what: 'the three written by the next run' }).catch(() => undefined);
    expect(await second.stop('SIGTERM')).toBe(0);
    const j = judgeNow();
    expect(j.expected).toHaveLength(3);
    expect(j.missed, explain(j, daemons)).toEqual([]);
    expect(j.doubled).toEqual([]);
    expect(j.wrong, explain(j, daemons)).toEqual([]);
  }, 60_000);

  it('SIGHUP with a new queue starts its enrichments without disturbing the others; an invalid reload keeps the daemon running', async () => {
    const w = await setup(['Support DE', 'Sales EN']);
    const daemon = await start(w);
    const { sandbox } = w;
    const [support, , billing] = sandbox.options.queues;
    const socketsBefore = sandbox.hub.counters.socketsOpened;

    // Customers the fake CRM knows, so every one of these conversations is enriched.
    let n = 0;
    const knownPhone = (): string => {
      for (;;) {
        const phone = `+4915100${String(++n).padStart(5, '0')}`;
        if (customerRecord(phone) !== undefined) return phone;
      }
    };
    const one = async (queueId: string) =>
      sandbox.traffic.startOne({ media: 'call', queueId, script: 'connect', speed: 50, until: 'connected', customerAddress: `tel:${knownPhone()}` });
    const billingBefore = await one(billing!.id);
    const supportBefore = await one(support!.id);
    await waitFor(() => sandbox.org.writes.some((wr) => wr.conversationId === supportBefore.id));
    expect(sandbox.org.writes.some((wr) => wr.conversationId === billingBefore.id)).toBe(false);

    writeFileSync(w.configFile, yaml(w, ['Support DE', 'Sales EN', 'Billing FR']));
    daemon.child.kill('SIGHUP');
    await daemon.waitForOutput(/config reloaded/);
    const billingAfter = await one(billing!.id);
    const supportAfter = await one(support!.id);
    await waitFor(() => [billingAfter.id, supportAfter.id].every((id) => sandbox.org.writes.some((wr) => wr.conversationId === id))).catch((e: unknown) => {
      console.log(readFileSync(w.auditFile, 'utf8'), daemon.stderr().slice(-4000), sandbox.hub.channels());
      throw e;
    });
    // The topics changed in place: no new socket was needed.
    expect(sandbox.hub.counters.socketsOpened).toBe(socketsBefore);

    writeFileSync(w.configFile, 'genesys: [this is not a config');
    daemon.child.kill('SIGHUP');
    await daemon.waitForOutput(/config reload rejected/);
    const later = await one(support!.id);
    await waitFor(() => sandbox.org.writes.some((wr) => wr.conversationId === later.id)).catch((e: unknown) => {
      console.log(readFileSync(w.auditFile, 'utf8'), daemon.stderr().slice(-3000), later.id);
      throw e;
    });
    expect(daemon.child.exitCode).toBeNull();
    expect(await daemon.stop('SIGTERM')).toBe(0);
    expect(leaksOf(w, daemons, { clientSecret: SECRET })).toEqual([]);
  }, 60_000);
});
