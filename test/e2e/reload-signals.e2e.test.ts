/**
 * Signals as other daemons use them, through the built CLI against the sandbox: SIGUSR1 reopens
 * the audit file without reading the config; SIGHUP reloads; and the shipped unit's ExecReload
 * command itself fails when the daemon rejects the new config.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_FLOW_ID, startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { startFakeCrm, type FakeCrm } from '../../src/sandbox/crm/index.js';
import { CLI, startCli, type CliProcess } from '../helpers/cli-process.js';
import { waitFor } from '../helpers/wait-for.js';
import { lastValue, parseUnitFile } from '../integration/service-files/unit-file.js';

const SECRET = 'signals-client-secret-77ab';

/** Runs a command to its end without blocking this process (the daemon's output keeps arriving). */
async function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number; stdout: string; stderr: string }> {
  try {
    const r = await promisify(execFile)(process.execPath, args, { env, encoding: 'utf8', timeout: 60_000 });
    return { status: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: unknown; stdout?: string; stderr?: string };
    return { status: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

function configYaml(crm: FakeCrm, auditFile: string, queue: string): string {
  return `
genesys:
  gatewayUrl: \${E2E_GATEWAY}
  clientId: sandbox-client
  clientSecret: \${E2E_SECRET}
queues:
  - name: ${queue}
flow:
  id: ${DEMO_FLOW_ID}
crm:
  url: ${crm.url}/customers?phone={phone?}
attributes:
  prefix: crm.
  map:
    Flow.accountId: /account/id
audit:
  file: ${auditFile}
http:
  listen: "off"
log:
  format: json
`;
}

/** The unit's ExecReload with the installed binary replaced by the built CLI. */
function execReloadArgv(pid: number): string[] {
  const unit = parseUnitFile(readFileSync(new URL('../../config/genesys-enricher.service', import.meta.url), 'utf8'));
  const command = lastValue(unit, 'Service', 'ExecReload') ?? '';
  const [binary, ...args] = command.replace('$MAINPID', String(pid)).split(/\s+/);
  expect(binary).toBe('/usr/bin/genesys-enricher');
  return [CLI, ...args];
}

describe('signals: SIGUSR1 reopens, SIGHUP reloads, ExecReload reports the outcome', () => {
  let sandbox: Sandbox;
  let crm: FakeCrm;
  let daemon: CliProcess;
  let dir = '';
  let runtimeDir = '';
  let configFile = '';
  let auditFile = '';

  beforeAll(async () => {
    sandbox = await startSandbox({ heartbeatIntervalMs: 300, clients: [{ clientId: 'sandbox-client', clientSecret: SECRET }] });
    crm = await startFakeCrm({ latencyMs: 1, directory: sandbox.org.customers });
    dir = mkdtempSync(join(tmpdir(), 'signals-'));
    runtimeDir = join(dir, 'run');
    mkdirSync(runtimeDir);
    auditFile = join(dir, 'audit.jsonl');
    configFile = join(dir, 'config.yaml');
    writeFileSync(configFile, configYaml(crm, auditFile, 'Support DE'));
    daemon = startCli(['run', '--config', configFile], { E2E_GATEWAY: sandbox.url, E2E_SECRET: SECRET, RUNTIME_DIRECTORY: runtimeDir });
    await daemon.waitForOutput(/daemon started/);
  }, 60_000);

  afterAll(async () => {
    await daemon.stop('SIGKILL');
    await crm.stop();
    await sandbox.stop();
  });

  it('SIGUSR1 reopens the audit file and does not read the config', async () => {
    // A config that would be rejected if it were read.
    writeFileSync(configFile, 'queues: [\n');
    renameSync(auditFile, `${auditFile}-rotated`);
    daemon.child.kill('SIGUSR1');
    await daemon.waitForOutput(/audit file reopened/);
    expect(existsSync(auditFile)).toBe(true);
    expect(daemon.stderr()).not.toMatch(/config reload/);
    expect(daemon.child.exitCode).toBeNull();
  });

  it("the unit's ExecReload fails on a rejected reload and succeeds on a good one", async () => {
    const pid = daemon.child.pid ?? 0;
    const env = { ...process.env, RUNTIME_DIRECTORY: runtimeDir };
    writeFileSync(configFile, 'queues: [\n');
    const rejected = await run(execReloadArgv(pid), env);
    expect(rejected.status, rejected.stderr).toBe(1);
    expect(rejected.stderr).toMatch(/reload rejected, the running config stays/);
    await daemon.waitForOutput(/config reload rejected/);

    writeFileSync(configFile, configYaml(crm, auditFile, 'Sales EN'));
    const accepted = await run(execReloadArgv(pid), env);
    expect(accepted.status, accepted.stderr).toBe(0);
    expect(accepted.stdout).toBe('config reloaded\n');
    expect(daemon.child.exitCode).toBeNull();
  });

  it('reload without a reachable daemon exits 1 at once', async () => {
    const r = await run([CLI, 'reload', '--pid', '999999999', '--status-file', join(dir, 'none.json')], process.env);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/cannot signal process 999999999/);
  });

  it('a stop still works after the reloads', async () => {
    expect(await daemon.stop('SIGTERM')).toBe(0);
    await waitFor(() => /daemon stopped/.test(daemon.stderr()), { timeoutMs: 5_000 });
  });
});
