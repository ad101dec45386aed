/**
 * `run --dry-run` (shadow mode) through the built CLI against the sandbox: every decision as
 * usual, no PATCH at all, one `would-enrich` line per conversation that would have been written,
 * and `audit` counts them.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_FLOW_ID, startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { startFakeCrm, type FakeCrm } from '../../src/sandbox/crm/index.js';
import type { AuditLine } from '../../src/sinks/audit.js';
import { runCli, startCli, type CliProcess } from '../helpers/cli-process.js';
import { waitFor } from '../helpers/wait-for.js';

const SECRET = 'dry-run-client-secret-5c1e';
const CRM_TOKEN = 'dry-run-crm-token-9a2f';

function configYaml(crm: FakeCrm, auditFile: string): string {
  return `
genesys:
  gatewayUrl: \${E2E_GATEWAY}
  clientId: sandbox-client
  clientSecret: \${E2E_SECRET}
  requestsPerMinute: 6000
queues:
  - name: Support DE
  - name: Sales EN
flow:
  id: ${DEMO_FLOW_ID}
crm:
  url: ${crm.url}/customers?phone={phone?}&email={email?}
  headers:
    Authorization: Bearer \${E2E_CRM_TOKEN}
identity:
  chat: [attr:context.email, attr:context.phoneNumber, externalContact]
  message: [address, attr:customer.email, externalContact]
attributes:
  prefix: crm.
  map:
    Flow.accountId: /account/id
    Flow.tier: /account/tier
audit:
  file: ${auditFile}
http:
  listen: "off"
backfill:
  intervalMs: 0
log:
  format: json
`;
}

function readAudit(file: string): AuditLine[] {
  return readFileSync(file, 'utf8').split('\n').flatMap((line) => {
    try {
      return line ? [JSON.parse(line) as AuditLine] : [];
    } catch {
      return [];
    }
  });
}

describe('run --dry-run against the sandbox', () => {
  let sandbox: Sandbox;
  let crm: FakeCrm;
  let daemon: CliProcess;
  let auditFile = '';
  let audit: AuditLine[] = [];
  let exitCode: number | string;

  beforeAll(async () => {
    sandbox = await startSandbox({ heartbeatIntervalMs: 300, requestsPerMinute: 100_000, clients: [{ clientId: 'sandbox-client', clientSecret: SECRET }] });
    crm = await startFakeCrm({ token: CRM_TOKEN, latencyMs: 2, directory: sandbox.org.customers });
    const dir = mkdtempSync(join(tmpdir(), 'dry-run-'));
    auditFile = join(dir, 'audit.jsonl');
    const configFile = join(dir, 'config.yaml');
    writeFileSync(configFile, configYaml(crm, auditFile));
    daemon = startCli(['run', '--config', configFile, '--dry-run', '--log-level', 'debug'], { E2E_GATEWAY: sandbox.url, E2E_SECRET: SECRET, E2E_CRM_TOKEN: CRM_TOKEN });
    await daemon.waitForOutput(/daemon started/);
    // A dropped socket: reconnect and gap lines join the log (their fields are checked below).
    sandbox.hub.dropSockets();
    await daemon.waitForOutput(/frames may have been lost/);
    const queues = sandbox.options.queues.slice(0, 2).map((q) => q.id);
    await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        sandbox.traffic.startOne({ media: 'call', queueId: queues[i % 2]!, script: 'connect', speed: 30, until: 'connected' }),
      ),
    );
    await waitFor(() => {
      const audited = new Set(readAudit(auditFile).map((l) => l.conversationId));
      return [...sandbox.org.connected].every((id) => audited.has(id));
    }, { timeoutMs: 30_000, what: 'every connected conversation audited' });
    exitCode = await daemon.stop('SIGTERM');
    audit = readAudit(auditFile);
  }, 60_000);

  afterAll(async () => {
    await daemon.stop('SIGKILL');
    await crm.stop();
    await sandbox.stop();
  });

  it('sends no PATCH and stops cleanly', () => {
    expect(exitCode).toBe(0);
    expect(sandbox.org.writes).toEqual([]);
    expect(daemon.stderr()).toMatch(/dry run: nothing is written/);
  });

  it('audits one line per connected conversation: would-enrich, with hashed values, for each the CRM knows', () => {
    const connected = [...sandbox.org.connected];
    expect(connected.length).toBe(24);
    const known = new Set(sandbox.org.truth().filter((t) => t.crmCustomerId !== undefined && t.identifiers.length > 0).map((t) => t.id));
    const would = audit.filter((l) => l.event === 'would-enrich');
    expect(new Set(audit.map((l) => l.conversationId)).size).toBe(audit.length);
    expect(new Set(would.map((l) => l.conversationId))).toEqual(new Set(connected.filter((id) => known.has(id))));
    expect(would.length).toBeGreaterThan(0);
    // The rest are skips (unknown customer, or no number to look up), never writes.
    expect(audit.filter((l) => l.event !== 'would-enrich').every((l) => l.event === 'skipped')).toBe(true);
    for (const l of would) {
      expect(Object.keys(l.attributes ?? {})).toEqual(expect.arrayContaining(['crm.accountId', 'crm.enricher.traceId']));
      for (const v of Object.values(l.attributes ?? {})) expect(v).toMatch(/^[0-9a-f]{12}$/);
      expect(['fetched', 'cache-hit']).toContain(l.crm);
    }
  });

  it('logs JSON lines only, one type per field name, starting with version, Node, pid and config file', () => {
    const lines = daemon.stderr().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ message: 'genesys-enricher starting', version: expect.stringMatching(/^\d+\.\d+\.\d+/), node: process.versions.node, pid: daemon.child.pid, dryRun: true });
    expect(String(lines[0]?.configFile)).toMatch(/config\.yaml$/);
    expect(lines.some((l) => l.level === 'debug')).toBe(true);
    const types = new Map<string, Set<string>>();
    for (const line of lines) {
      for (const [k, v] of Object.entries(line)) {
        const set = types.get(k) ?? new Set<string>();
        set.add(v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
        types.set(k, set);
      }
    }
    const mixed = [...types].filter(([, t]) => t.size > 1).map(([k, t]) => `${k}: ${[...t].join('/')}`);
    expect(mixed).toEqual([]);
  });

  it('audit counts the dry-run decisions', async () => {
    const would = audit.filter((l) => l.event === 'would-enrich').length;
    const r = await runCli(['audit', auditFile]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^ {2}would-enrich +${would}\\b`, 'm'));
    expect(r.stdout).toMatch(/dry run/);
  });
});
