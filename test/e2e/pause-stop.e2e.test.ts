/**
 * A stop cuts through a 429 pause: with the shipped cap on Retry-After (a minute), one 429 asking
 * for a day's pause holds the writes far longer than the drain timeout. SIGTERM during that pause,
 * with a write waiting in it, must still exit 0 within `pipeline.drainTimeoutMs` plus a small margin,
 * and nothing may be logged after the logger closed. The waiting conversation is not written; a
 * later start finds it through its catch-up (covered by the restart tests).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeCrm, type FakeCrm } from '../../src/sandbox/crm/index.js';
import { DEMO_FLOW_ID, startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { startCli, type CliProcess } from '../helpers/cli-process.js';
import { waitFor } from '../helpers/wait-for.js';
import { knownCallConnector } from '../helpers/known-call.js';

const SECRET = 'pause-stop-secret-7a3e';
const PATCH = '/api/v2/conversations/{conversationId}/participants/{participantId}/attributes';
const DRAIN_MS = 2_000;
/** Time for the process to close its sockets, flush the trail and exit once the drain is over. */
const MARGIN_MS = 4_000;

describe('SIGTERM during a 429 pause of the writes (built CLI against the sandbox)', () => {
  let sandbox: Sandbox;
  let crm: FakeCrm;
  let daemon: CliProcess | undefined;
  let dir: string;
  let configFile: string;

  /** A call connected in Support DE from a customer the CRM knows (set up in beforeAll). */
  let connectedCall: () => Promise<string>;

  beforeAll(async () => {
    sandbox = await startSandbox({ requestsPerMinute: 100_000, clients: [{ clientId: 'sandbox-client', clientSecret: SECRET }] });
    sandbox.traffic.pause();
    crm = await startFakeCrm({ latencyMs: 2 });
    connectedCall = knownCallConnector(sandbox, crm, '+4917100000', sandbox.options.queues[0]!.id);
    dir = mkdtempSync(join(tmpdir(), 'pause-stop-'));
    configFile = join(dir, 'config.yaml');
    // Shipped defaults but for the drain timeout (short, so the test measures it) and the rate.
    writeFileSync(
      configFile,
      `
genesys:
  gatewayUrl: \${PS_GATEWAY}
  clientId: sandbox-client
  clientSecret: \${PS_SECRET}
  requestsPerMinute: 6000
queues:
  - name: Support DE
flow:
  id: ${DEMO_FLOW_ID}
crm:
  url: ${crm.url}/customers?phone={phone?}&email={email?}
attributes:
  prefix: crm.
  map:
    Flow.accountId: /account/id
audit:
  file: ${join(dir, 'audit.jsonl')}
http:
  listen: "off"
pipeline:
  drainTimeoutMs: ${String(DRAIN_MS)}
log:
  level: info
  format: json
`,
    );
  }, 30_000);

  afterAll(async () => {
    await daemon?.stop('SIGKILL');
    await crm.stop();
    await sandbox.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('exits 0 within the drain timeout while a write waits out a capped day-long Retry-After', async () => {
    daemon = startCli(['run', '--config', configFile], { PS_GATEWAY: sandbox.url, PS_SECRET: SECRET });
    await daemon.waitForOutput(/daemon started/, 30_000);
    sandbox.faults.add({ endpoint: PATCH, method: 'PATCH', status: 429, count: 1, retryAfterS: 86_400 });
    const first = await connectedCall();
    await waitFor(() => sandbox.calls.some((c) => c.endpoint === PATCH && c.status === 429), { timeoutMs: 20_000, what: 'the refused PATCH' });
    const second = await connectedCall();
    // Give the second conversation time to reach the paused write (its CRM lookup is quick).
    await waitFor(() => crm.requests() >= 2, { timeoutMs: 10_000, what: 'the second CRM lookup' });
    expect(daemon.child.exitCode).toBeNull();

    const started = Date.now();
    const code = await daemon.stop('SIGTERM');
    const tookMs = Date.now() - started;
    console.log(`pause-stop: SIGTERM during the write pause exited ${String(code)} after ${String(tookMs)} ms (drain timeout ${String(DRAIN_MS)} ms)`);
    expect(code).toBe(0);
    expect(tookMs).toBeLessThan(DRAIN_MS + MARGIN_MS);
    expect(daemon.stderr()).not.toMatch(/write after end/);
    // The pause (a minute by the shipped cap) was still on: neither conversation was written.
    expect(sandbox.org.writes.filter((w) => w.conversationId === first || w.conversationId === second)).toEqual([]);
  }, 60_000);
});
