/**
 * Permissions and 429s as an operator meets them, against the built daemon and the sandbox:
 * - the sandbox refusing the catch-up GET (conversation:communication:view revoked): a warning
 *   naming the call and the permission, the permission_denied metric, /readyz 503 naming it, and
 *   `check` failing with the same name; granting the permission makes the daemon ready again;
 * - a 429 with `Retry-After: 86400` on the attribute PATCH: the write pause is capped
 *   (`genesys.retryAfterCapMs`), warned, shown by /readyz and the paused gauge, and the write
 *   lands once the cap has passed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeCrm, type FakeCrm } from '../../../src/sandbox/crm/index.js';
import { DEMO_FLOW_ID, startSandbox, type Sandbox } from '../../../src/sandbox/index.js';
import { runCli, startCli, type CliProcess } from '../../helpers/cli-process.js';
import { waitFor } from '../../helpers/wait-for.js';
import { knownCallConnector } from '../../helpers/known-call.js';
import { parsePromText, sampleValue } from './prom-text.js';

const SECRET = 'limits-client-secret-4b1c';
const CRM_TOKEN = 'limits-crm-token-8e2d';
const VIEW = 'conversation:communication:view';
const GET_CALL = 'GET /api/v2/conversations/{conversationId}';
const PATCH = '/api/v2/conversations/{conversationId}/participants/{participantId}/attributes';
// Long enough that /readyz polls see the pause even on a loaded machine.
const CAP_MS = 4_000;

function configYaml(crm: FakeCrm, auditFile: string): string {
  return `
genesys:
  gatewayUrl: \${LIM_GATEWAY}
  clientId: sandbox-client
  clientSecret: \${LIM_SECRET}
  requestsPerMinute: 6000
  retryAfterCapMs: ${CAP_MS}
queues:
  - name: Support DE
flow:
  id: ${DEMO_FLOW_ID}
crm:
  url: ${crm.url}/customers?phone={phone?}&email={email?}
  headers:
    Authorization: Bearer \${LIM_CRM_TOKEN}
attributes:
  prefix: crm.
  map:
    Flow.accountId: /account/id
audit:
  file: ${auditFile}
http:
  listen: "off"
backfill:
  intervalMs: 1000
log:
  level: info
  format: json
`;
}

interface Readyz {
  status: number;
  checks: { name: string; ok: boolean; detail: string }[];
}

describe('permissions and 429s at run time (built CLI against the sandbox)', () => {
  let sandbox: Sandbox;
  let crm: FakeCrm;
  let daemon: CliProcess;
  let dir: string;
  let configFile: string;
  let opsUrl: string;
  const env = (): Record<string, string> => ({ LIM_GATEWAY: sandbox.url, LIM_SECRET: SECRET, LIM_CRM_TOKEN: CRM_TOKEN });

  const readyz = async (): Promise<Readyz> => {
    const res = await fetch(`${opsUrl}/readyz`);
    return { status: res.status, checks: ((await res.json()) as { checks: Readyz['checks'] }).checks };
  };
  const metric = async (name: string, labels: Record<string, string>): Promise<number | undefined> => {
    const res = await fetch(`${opsUrl}/metrics`);
    return sampleValue(parsePromText(await res.text()), name, labels);
  };
  const warnings = (): Record<string, unknown>[] =>
    daemon
      .stderr()
      .concat(daemon.stdout())
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.level === 'warn');

  /** A call connected in Support DE from a customer the CRM knows (set up in beforeAll). */
  let connectedCall: () => Promise<string>;

  beforeAll(async () => {
    sandbox = await startSandbox({ requestsPerMinute: 100_000, clients: [{ clientId: 'sandbox-client', clientSecret: SECRET }] });
    sandbox.traffic.pause();
    crm = await startFakeCrm({ token: CRM_TOKEN, latencyMs: 2 });
    connectedCall = knownCallConnector(sandbox, crm, '+4917000000', sandbox.options.queues[0]!.id);
    dir = mkdtempSync(join(tmpdir(), 'genesys-limits-'));
    configFile = join(dir, 'config.yaml');
    writeFileSync(configFile, configYaml(crm, join(dir, 'audit.jsonl')));
  }, 30_000);

  afterAll(async () => {
    sandbox.faults.clear();
    await daemon.stop('SIGKILL');
    await crm.stop();
    await sandbox.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('warns, counts and turns unready when the catch-up GET is refused, and check names the same permission', async () => {
    // Connected before the daemon starts: only the catch-up can find it, and its GET is refused.
    sandbox.permissions.revoke(VIEW);
    const missed = await connectedCall();
    daemon = startCli(['run', '--config', configFile, '--http-listen', '127.0.0.1:0'], env());
    await daemon.waitForOutput(/"message":"ops http listening"/);
    const line = (daemon.stderr() + daemon.stdout()).split('\n').find((l) => l.includes('"message":"ops http listening"'))!;
    opsUrl = (JSON.parse(line) as { url: string }).url;

    const warning = await waitFor(() => warnings().find((w) => w.call === GET_CALL), { timeoutMs: 15_000, what: 'the permission warning' });
    expect(warning).toMatchObject({ call: GET_CALL, permission: VIEW });
    expect(String(warning.message)).toContain('permission');
    expect(await metric('genesys_enricher_permission_denied_total', { call: GET_CALL })).toBeGreaterThanOrEqual(1);
    const unready = await waitFor(async () => {
      const r = await readyz();
      return r.status === 503 && r.checks.some((c) => c.name === 'permissions' && !c.ok) ? r : undefined;
    }, { timeoutMs: 10_000, what: '/readyz 503 naming the permission' });
    expect(unready.checks.find((c) => c.name === 'permissions')!.detail).toContain(`${GET_CALL} needs ${VIEW}`);
    expect(sandbox.org.writes.some((w) => w.conversationId === missed)).toBe(false);

    const check = await runCli(['check', '--config', configFile], env());
    expect(check.code, check.stdout).toBe(1);
    expect(check.stdout).toMatch(new RegExp(`FAIL\\s+permission\\s+GET /api/v2/conversations/\\{conversationId\\} \\(catch-up read\\): refused, the OAuth client lacks ${VIEW}`));

    // Granted again: the next catch-up reads and enriches the missed call, and readiness returns.
    sandbox.permissions.reset();
    await waitFor(() => sandbox.org.writes.some((w) => w.conversationId === missed), { timeoutMs: 15_000, what: 'the missed call enriched' });
    await waitFor(async () => (await readyz()).status === 200, { timeoutMs: 10_000, what: '/readyz 200 again' });
  }, 60_000);

  it('caps a day-long Retry-After on the PATCH, shows the write pause, then writes', async () => {
    sandbox.faults.add({ endpoint: PATCH, method: 'PATCH', status: 429, count: 1, retryAfterS: 86_400 });
    const id = await connectedCall();
    await waitFor(() => sandbox.calls.some((c) => c.endpoint === PATCH && c.status === 429), { timeoutMs: 20_000, what: 'the refused PATCH' });
    // Read /readyz and the gauge together, inside the pause.
    const seen = await waitFor(async () => {
      const r = await readyz();
      const writes = await metric('genesys_enricher_genesys_paused', { family: 'writes' });
      const analytics = await metric('genesys_enricher_genesys_paused', { family: 'analytics' });
      return r.status === 503 && r.checks.some((c) => c.name === 'genesys writes' && !c.ok) ? { r, writes, analytics } : undefined;
    }, { timeoutMs: CAP_MS, intervalMs: 20, what: '/readyz 503 for the write pause' });
    expect(seen.r.checks.find((c) => c.name === 'genesys writes')!.detail).toMatch(/^paused for [1-4] s more after a 429/);
    expect(seen.writes).toBe(1);
    expect(seen.analytics).toBe(0);
    const capped = warnings().find((w) => w.family === 'writes' && w.retryAfterMs === 86_400_000);
    expect(capped).toMatchObject({ pauseMs: CAP_MS, scope: 'family' });

    await waitFor(() => sandbox.org.writes.some((w) => w.conversationId === id), { timeoutMs: 15_000, what: 'the write after the cap' });
    const patches = sandbox.calls.filter((c) => c.endpoint === PATCH);
    const refused = patches.find((c) => c.status === 429)!;
    const landed = patches.filter((c) => c.status < 300 && c.at > refused.at);
    expect(landed.length).toBeGreaterThanOrEqual(1);
    expect(landed[0]!.at - refused.at).toBeGreaterThanOrEqual(CAP_MS - 5);
    await waitFor(async () => (await readyz()).status === 200, { timeoutMs: 10_000, what: '/readyz 200 after the pause' });
    expect(await metric('genesys_enricher_genesys_paused', { family: 'writes' })).toBe(0);
  }, 60_000);
});
