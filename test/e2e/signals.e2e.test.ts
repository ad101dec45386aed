/**
 * Signals, as systemd and pm2 send them, to the built CLI against the sandbox: SIGTERM during a
 * burst loses and half-writes nothing; SIGHUP applies a new queue without disturbing the others;
 * an invalid config on SIGHUP is rejected while the daemon keeps running.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_FLOW_ID, startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { customerRecord, startFakeCrm, type FakeCrm } from '../../src/sandbox/crm/index.js';
import type { AuditLine } from '../../src/sinks/audit.js';
import { startCli, type CliProcess } from '../helpers/cli-process.js';
import { waitFor } from '../helpers/wait-for.js';

const SECRET = 'signals-secret-93e1';

function yaml(queueNames: readonly string[], crm: FakeCrm, auditFile: string): string {
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
  url: ${crm.url}/customers?phone={phone?}&email={email?}
  timeoutMs: 2000
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
  heartbeatTimeoutMs: 500
  pongTimeoutMs: 300
  reconnectMinMs: 20
pipeline:
  drainTimeoutMs: 5000
log:
  level: info
  format: json
`;
}

function readAudit(file: string): AuditLine[] {
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as AuditLine);
}

describe('signals', () => {
  let sandbox: Sandbox | undefined;
  let crm: FakeCrm | undefined;
  let daemon: CliProcess | undefined;

  afterEach(async () => {
    await daemon?.stop('SIGKILL');
    sandbox?.traffic.stop();
    await crm?.stop();
    await sandbox?.stop();
  });

  async function setup(queueNames: readonly string[]) {
    sandbox = await startSandbox({ heartbeatIntervalMs: 300, requestsPerMinute: 100_000, clients: [{ clientId: 'sandbox-client', clientSecret: SECRET }] });
    crm = await startFakeCrm({ latencyMs: 5 });
    const dir = mkdtempSync(join(tmpdir(), 'signals-'));
    const auditFile = join(dir, 'audit.jsonl');
    const configFile = join(dir, 'config.yaml');
    writeFileSync(configFile, yaml(queueNames, crm, auditFile));
    daemon = startCli(['run', '--config', configFile], { GW: sandbox.url, SECRET });
    await daemon.waitForOutput(/daemon started/);
    return { sandbox, crm, daemon, auditFile, configFile };
  }

  it('SIGTERM during a burst: every started enrichment is completed and audited, none half-written', async () => {
    const { sandbox, crm, daemon, auditFile } = await setup(['Support DE', 'Sales EN', 'Billing FR']);
    crm.setLatency(150); // keep enrichments in flight when the signal lands
    void sandbox.traffic.play(400, { ratePerSec: 200, speed: 200, seed: 3 }).catch(() => undefined);
    await waitFor(() => sandbox.org.writes.length >= 20, { timeoutMs: 20_000 });
    const code = await daemon.stop('SIGTERM');
    sandbox.traffic.stop();
    expect(code).toBe(0);
    const audit = readAudit(auditFile); // every line parses: the file is complete
    const enriched = audit.filter((l) => l.event === 'enriched');
    const written = new Set(sandbox.org.writes.map((w) => w.conversationId));
    expect(enriched.length).toBe(sandbox.org.writes.length);
    expect(new Set(enriched.map((l) => l.conversationId))).toEqual(written);
    expect(daemon.stderr()).toMatch(/daemon stopped/);
  }, 60_000);

  it('SIGHUP with a new queue starts its enrichments without disturbing the others; an invalid reload keeps the daemon running', async () => {
    const { sandbox, daemon, configFile, crm, auditFile } = await setup(['Support DE', 'Sales EN']);
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
    await waitFor(() => sandbox.org.writes.some((w) => w.conversationId === supportBefore.id));
    expect(sandbox.org.writes.some((w) => w.conversationId === billingBefore.id)).toBe(false);

    writeFileSync(configFile, yaml(['Support DE', 'Sales EN', 'Billing FR'], crm, auditFile));
    daemon.child.kill('SIGHUP');
    await daemon.waitForOutput(/config reloaded/);
    const billingAfter = await one(billing!.id);
    const supportAfter = await one(support!.id);
    await waitFor(() => [billingAfter.id, supportAfter.id].every((id) => sandbox.org.writes.some((w) => w.conversationId === id))).catch((e: unknown) => {
      console.log(readFileSync(auditFile, 'utf8'), daemon.stderr().slice(-4000), sandbox.hub.channels());
      throw e;
    });
    // The topics changed in place: no new socket was needed.
    expect(sandbox.hub.counters.socketsOpened).toBe(socketsBefore);

    writeFileSync(configFile, 'genesys: [this is not a config');
    daemon.child.kill('SIGHUP');
    await daemon.waitForOutput(/config reload rejected/);
    const later = await one(support!.id);
    await waitFor(() => sandbox.org.writes.some((w) => w.conversationId === later.id)).catch((e: unknown) => {
      console.log(readFileSync(auditFile, 'utf8'), daemon.stderr().slice(-3000), later.id);
      throw e;
    });
    expect(daemon.child.exitCode).toBeNull();
    expect(await daemon.stop('SIGTERM')).toBe(0);
  }, 60_000);
});
