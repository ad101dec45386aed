/**
 * Recovering from failures of what the daemon depends on, with the built CLI against the sandbox
 * and judged by the oracle: CRM lookups that time out are tried again (never taken for an unknown
 * customer), and a catch-up that fails (activity query and conversation fetches answering 503) is
 * run again by the next period, so conversations connected before the start are still written.
 */
import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_FLOW_ID } from '../../src/sandbox/index.js';
import { customerRecord } from '../../src/sandbox/crm/index.js';
import { DEMO_INPUT_SCHEMA } from '../../src/sandbox/org/flows.js';
import { startCli, type CliProcess } from '../helpers/cli-process.js';
import { crmUrl, explain, identityYaml, judgeWorld, leaksOf, startWorld, type World } from '../helpers/e2e-world.js';
import { waitFor } from '../helpers/wait-for.js';

const SECRET = 'recovery-secret-7b2e';
const MAP = { 'Flow.accountId': '/account/id', 'Flow.tier': '/account/tier', 'Flow.vip': '/account/vip' };

/** Shipped defaults except the compressed catch-up period when given, and liveness with headroom. */
function yaml(world: World, backfillMs?: number): string {
  return `
genesys:
  gatewayUrl: \${GW}
  clientId: sandbox-client
  clientSecret: \${SECRET}
queues:
  - name: Support DE
flow:
  id: ${DEMO_FLOW_ID}
crm:
  url: ${crmUrl(world.crm)}
  timeoutMs: 1000
attributes:
  prefix: crm.
  map:
${Object.entries(MAP).map(([k, v]) => `    ${k}: ${v}`).join('\n')}
${identityYaml()}audit:
  file: ${world.auditFile}
http:
  listen: "off"
${backfillMs === undefined ? '' : `backfill:\n  intervalMs: ${String(backfillMs)}`}
log:
  level: info
  format: json
`;
}

describe('recovery', () => {
  let world: World | undefined;
  const daemons: CliProcess[] = [];

  afterEach(async () => {
    for (const d of daemons.splice(0)) await d.stop('SIGKILL');
    await world?.stop();
    world = undefined;
  });

  let n = 0;
  const knownPhone = (): string => {
    for (;;) {
      const phone = `+4915300${String(++n).padStart(5, '0')}`;
      if (customerRecord(phone) !== undefined) return phone;
    }
  };

  /** Calls to Support DE, stepped to "connected" with the traffic paused: they stay connected. */
  async function connectedCalls(w: World, count: number): Promise<string[]> {
    const queueId = w.sandbox.options.queues.find((q) => q.name === 'Support DE')?.id ?? '';
    w.sandbox.traffic.pause();
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const started = w.sandbox.traffic.startOne({ media: 'call', queueId, script: 'connect', speed: 50, customerAddress: `tel:${knownPhone()}` });
      const conv = await waitFor(() => started, { what: 'a started call' });
      while (!w.sandbox.org.connected.has(conv.id)) expect(w.sandbox.traffic.step(conv.id)).toBe(true);
      ids.push(conv.id);
    }
    return ids;
  }

  const judgeNow = (w: World) =>
    judgeWorld(w, {
      watchedQueueIds: new Set(w.sandbox.options.queues.filter((q) => q.name === 'Support DE').map((q) => q.id)),
      map: MAP,
      prefix: 'crm.',
      schemas: [{ from: 0, schema: DEMO_INPUT_SCHEMA }],
    });

  async function start(w: World): Promise<CliProcess> {
    const d = startCli(['run', '--config', w.configFile], { GW: w.sandbox.url, SECRET });
    daemons.push(d);
    await d.waitForOutput(/daemon started/);
    return d;
  }

  it('CRM lookups that time out are tried again and written, never audited as an unknown customer', async () => {
    const w = await startWorld({ prefix: 'recovery', secret: SECRET });
    world = w;
    writeFileSync(w.configFile, yaml(w));
    const d = await start(w);
    // Four, under the default circuit breaker threshold of five failures.
    w.crm.setTimeoutRate(1);
    const ids = await connectedCalls(w, 4);
    await waitFor(() => w.crm.requests() >= 4, { timeoutMs: 10_000, what: 'four lookups sent' });
    w.crm.setTimeoutRate(0); // the retries (after pipeline.retryDelayMs, 2 s by default) are answered
    await waitFor(() => judgeNow(w).written.length === 4, { timeoutMs: 20_000, what: 'the four written' }).catch(() => undefined);
    expect(await d.stop('SIGTERM')).toBe(0);
    const j = judgeNow(w);
    expect(j.expected.sort()).toEqual(ids.sort());
    expect(j.missed, explain(j, daemons)).toEqual([]);
    expect(j.doubled).toEqual([]);
    expect(j.wrong, explain(j, daemons)).toEqual([]);
    expect(j.auditErrors).toEqual([]);
    expect(leaksOf(w, daemons, { clientSecret: SECRET })).toEqual([]);
  }, 60_000);

  it('a write applied but answered 503 on every try of one call is tried again under the same trace id: written once', async () => {
    const w = await startWorld({ prefix: 'recovery', secret: SECRET });
    world = w;
    writeFileSync(w.configFile, yaml(w));
    const d = await start(w);
    // Every PATCH of the first pipeline try (the Genesys client tries a call 4 times) is applied
    // and then answered 503: the daemon cannot know it was written, and tries again later.
    w.sandbox.faults.add({ endpoint: '/api/v2/conversations/{conversationId}/participants/{participantId}/attributes', method: 'PATCH', phase: 'after', status: 503, count: 4 });
    const [id] = await connectedCalls(w, 1);
    await waitFor(() => (w.sandbox.faults.counts()['after/503'] ?? 0) >= 4, { timeoutMs: 30_000, what: 'four answers lost' });
    // The pipeline's next try comes after pipeline.retryDelayMs (2 s by default).
    await waitFor(() => judgeNow(w).verdicts.get(id ?? '')?.auditLines.some((l) => l.event !== 'failed') === true, { timeoutMs: 20_000, what: 'a decision' }).catch(() => undefined);
    expect(await d.stop('SIGTERM')).toBe(0);
    const j = judgeNow(w);
    expect(j.expected).toEqual([id]);
    expect(j.missed, explain(j, daemons)).toEqual([]);
    expect(j.doubled, explain(j, daemons)).toEqual([]);
    expect(j.wrong, explain(j, daemons)).toEqual([]);
  }, 60_000);

  it('a catch-up that fails is run again by the next period; conversations connected before the start are written once', async () => {
    const w = await startWorld({ prefix: 'recovery', secret: SECRET });
    world = w;
    // The catch-up period compressed from 5 min to 2 s: the test waits for one period.
    writeFileSync(w.configFile, yaml(w, 2_000));
    const ids = await connectedCalls(w, 3);
    // Every catch-up call fails for a while: more 503s than the client's retries of one call.
    w.sandbox.faults.add({ endpoint: '/api/v2/analytics/conversations/activity/query', status: 503, count: 8 });
    w.sandbox.faults.add({ endpoint: '/api/v2/conversations/{conversationId}', status: 503, count: 8 });
    const d = await start(w);
    await d.waitForOutput(/backfill failed/, 20_000);
    await waitFor(() => judgeNow(w).written.length === 3, { timeoutMs: 20_000, what: 'the three written by a later catch-up' }).catch(() => undefined);
    expect(await d.stop('SIGTERM')).toBe(0);
    expect(w.sandbox.faults.injected.get(503) ?? 0).toBeGreaterThanOrEqual(8);
    const j = judgeNow(w);
    expect(j.expected.sort()).toEqual(ids.sort());
    expect(j.missed, explain(j, daemons)).toEqual([]);
    expect(j.doubled).toEqual([]);
    expect(j.wrong, explain(j, daemons)).toEqual([]);
    expect(j.auditErrors).toEqual([]);
  }, 60_000);
});
