/**
 * Two daemons started by mistake on the same config: the second refuses to start (the first keeps
 * enriching, nothing is written twice); after the first dies by SIGKILL, a new one takes over:
 * it catches up what the first left and enriches what comes after, judged by the oracle.
 */
import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_FLOW_ID } from '../../src/sandbox/index.js';
import { DEMO_INPUT_SCHEMA } from '../../src/sandbox/org/flows.js';
import { runCli, startCli, type CliProcess } from '../helpers/cli-process.js';
import { crmUrl, explain, identityYaml, judgeWorld, leaksOf, startWorld, type World } from '../helpers/e2e-world.js';
import { waitFor } from '../helpers/wait-for.js';

const SECRET = 'instances-secret-1c4d';
const MAP = { 'Flow.accountId': '/account/id' };

describe('two daemons on one config', () => {
  let world: World;
  const daemons: CliProcess[] = [];

  afterAll(async () => {
    for (const d of daemons) await d.stop('SIGKILL');
    await world.stop();
  });

  it('the second refuses to start; after a SIGKILL of the first, a new one catches up and enriches what follows', async () => {
    world = await startWorld({ prefix: 'instances', secret: SECRET });
    const { sandbox } = world;
    writeFileSync(
      world.configFile,
      `genesys:
  gatewayUrl: "${sandbox.url}"
  clientId: sandbox-client
  clientSecret: ${SECRET}
  requestsPerMinute: 3000
queues: [{ name: Support DE }, { name: Sales EN }, { name: Billing FR }]
flow: { id: ${DEMO_FLOW_ID} }
crm:
  url: ${crmUrl(world.crm)}
attributes:
  prefix: crm.
  map:
    Flow.accountId: /account/id
${identityYaml()}audit: { file: ${world.auditFile} }
http: { listen: "off" }
log: { level: info, format: json }
`,
    );
    const first = startCli(['run', '--config', world.configFile]);
    daemons.push(first);
    await first.waitForOutput(/daemon started/);

    const second = await runCli(['run', '--config', world.configFile]);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(new RegExp(`another genesys-enricher \\(pid ${String(first.child.pid)}\\)`));

    const traffic = sandbox.traffic.play(60, { ratePerSec: 20, speed: 40, seed: 5 }).catch(() => undefined);
    await waitFor(() => sandbox.org.writes.length >= 15, { timeoutMs: 20_000 });
    // The world stands still while no daemon runs: what the first left behind is still live.
    sandbox.traffic.pause();
    await first.stop('SIGKILL');
    const writtenByFirst = sandbox.org.writes.length;
    const third = startCli(['run', '--config', world.configFile]);
    daemons.push(third);
    await third.waitForOutput(/daemon started/);
    sandbox.traffic.resume();
    await traffic;
    const judgeNow = () =>
      judgeWorld(world, { watchedQueueIds: new Set(sandbox.options.queues.map((q) => q.id)), map: MAP, prefix: 'crm.', schemas: [{ from: 0, schema: DEMO_INPUT_SCHEMA }] });
    expect(await third.stop('SIGTERM')).toBe(0);
    const j = judgeNow();
    console.log(`instances: ${j.summary()}; written by the first ${String(writtenByFirst)}`);
    // The third did take over: it wrote conversations of its own.
    expect(sandbox.org.writes.length).toBeGreaterThan(writtenByFirst);
    expect(j.expected.length).toBeGreaterThan(30);
    expect(j.missed, explain(j, daemons)).toEqual([]);
    expect(j.doubled, explain(j, daemons)).toEqual([]);
    expect(j.wrong, explain(j, daemons)).toEqual([]);
    expect(j.auditErrors).toEqual([]);
    expect(leaksOf(world, daemons, { clientSecret: SECRET })).toEqual([]);
  }, 90_000);
});
