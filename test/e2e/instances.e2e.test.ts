/**
 * Two daemons started by mistake on the same config: the second refuses to start (the first keeps
 * enriching, nothing is written twice); after the first dies by SIGKILL, a new one takes over.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_FLOW_ID, startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { startFakeCrm, type FakeCrm } from '../../src/sandbox/crm/index.js';
import { runCli, startCli, type CliProcess } from '../helpers/cli-process.js';
import { waitFor } from '../helpers/wait-for.js';

describe('two daemons on one config', () => {
  let sandbox: Sandbox;
  let crm: FakeCrm;
  const daemons: CliProcess[] = [];

  afterAll(async () => {
    for (const d of daemons) await d.stop('SIGKILL');
    sandbox.traffic.stop();
    await crm.stop();
    await sandbox.stop();
  });

  it('the second refuses to start; after a SIGKILL of the first, a new one takes over', async () => {
    sandbox = await startSandbox({ heartbeatIntervalMs: 300 });
    crm = await startFakeCrm({});
    const dir = mkdtempSync(join(tmpdir(), 'instances-'));
    const config = join(dir, 'config.yaml');
    writeFileSync(
      config,
      `genesys: { gatewayUrl: "${sandbox.url}", clientId: sandbox-client, clientSecret: sandbox-secret, requestsPerMinute: 3000 }
queues: [{ name: Support DE }, { name: Sales EN }, { name: Billing FR }]
flow: { id: ${DEMO_FLOW_ID} }
crm: { url: "${crm.url}/customers?phone={phone?}&email={email?}" }
attributes: { prefix: crm., map: { Flow.accountId: /account/id } }
audit: { file: ${join(dir, 'audit.jsonl')} }
http: { listen: "off" }
log: { level: info, format: json }
`,
    );
    const first = startCli(['run', '--config', config]);
    daemons.push(first);
    await first.waitForOutput(/daemon started/);

    const second = await runCli(['run', '--config', config]);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(new RegExp(`another genesys-enricher \\(pid ${String(first.child.pid)}\\)`));

    void sandbox.traffic.play(60, { ratePerSec: 60, speed: 100, seed: 5 }).catch(() => undefined);
    await waitFor(() => sandbox.org.writes.length >= 20, { timeoutMs: 15_000 });
    await first.stop('SIGKILL');
    const third = startCli(['run', '--config', config]);
    daemons.push(third);
    await third.waitForOutput(/daemon started/);
    await waitFor(() => sandbox.traffic.active === 0, { timeoutMs: 20_000 });
    const perConversation = new Map<string, number>();
    for (const w of sandbox.org.writes) perConversation.set(w.conversationId, (perConversation.get(w.conversationId) ?? 0) + 1);
    expect([...perConversation.values()].filter((n) => n > 1)).toEqual([]);
    expect(await third.stop('SIGTERM')).toBe(0);
  }, 60_000);
});
