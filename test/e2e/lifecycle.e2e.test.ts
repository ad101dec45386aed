/**
 * The hard edges of the process, on the built CLI: stops that always end with exit 0 whatever the
 * webhook or Genesys withhold, start-ups that give way to SIGTERM and survive SIGHUP, and a fatal
 * message that never carries credentials.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, constants, existsSync, mkdirSync, mkdtempSync, openSync, readlinkSync, readdirSync, writeFileSync, writeSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_FLOW_ID, startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { customerRecord, startFakeCrm, type FakeCrm } from '../../src/sandbox/crm/index.js';
import { startCli, type CliProcess } from '../helpers/cli-process.js';
import { waitFor } from '../helpers/wait-for.js';

const CLIENT_ID = 'lifecycle-client';
const SECRET = 'lifecycle-secret-5c1d';

interface ConfigParts {
  readonly gatewayUrl: string;
  readonly crmUrl: string;
  readonly auditFile: string;
  readonly webhookUrl?: string;
  readonly queues?: readonly string[];
  readonly drainTimeoutMs?: number;
}

function yaml(p: ConfigParts): string {
  return `
genesys:
  gatewayUrl: ${p.gatewayUrl}
  clientId: ${CLIENT_ID}
  clientSecret: \${SECRET}
  requestsPerMinute: 6000
  timeoutMs: 60000
queues:
${(p.queues ?? ['Support DE']).map((n) => `  - name: ${n}`).join('\n')}
flow:
  id: ${DEMO_FLOW_ID}
crm:
  url: ${p.crmUrl}/customers?phone={phone?}&email={email?}
attributes:
  prefix: crm.
  map:
    Flow.accountId: /account/id
audit:
  file: ${p.auditFile}
http:
  listen: "off"
stream:
  heartbeatTimeoutMs: 2000
  pongTimeoutMs: 1000
  reconnectMinMs: 20
pipeline:
  drainTimeoutMs: ${String(p.drainTimeoutMs ?? 3000)}
${p.webhookUrl !== undefined ? `analytics:\n  webhookUrl: ${p.webhookUrl}\n  timeoutMs: 60000\n` : ''}log:
  level: info
  format: json
`;
}

/** A local HTTP server whose handler decides; requests it holds are cut at the end of the test. */
async function httpServer(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      handler(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}` };
}

/** Whether the process has `path` open (Linux /proc): proof that it is inside that read. */
function hasOpen(pid: number, path: string): boolean {
  try {
    return readdirSync(`/proc/${String(pid)}/fd`).some((fd) => {
      try {
        return readlinkSync(`/proc/${String(pid)}/fd/${fd}`) === path;
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}

let n = 0;
function knownPhone(): string {
  for (;;) {
    const phone = `+4930777${String(++n).padStart(5, '0')}`;
    if (customerRecord(phone) !== undefined) return phone;
  }
}

describe('process lifecycle (built CLI)', () => {
  let sandbox: Sandbox | undefined;
  let crm: FakeCrm | undefined;
  let daemon: CliProcess | undefined;
  const servers: Server[] = [];

  afterEach(async () => {
    await daemon?.stop('SIGKILL');
    daemon = undefined;
    sandbox?.traffic.stop();
    await crm?.stop();
    await sandbox?.stop();
    sandbox = undefined;
    crm = undefined;
    for (const s of servers.splice(0)) {
      s.closeAllConnections();
      await new Promise((resolve) => s.close(resolve));
    }
  });

  async function startWorld(): Promise<{ sandbox: Sandbox; crm: FakeCrm; dir: string }> {
    sandbox = await startSandbox({ heartbeatIntervalMs: 300, requestsPerMinute: 100_000, clients: [{ clientId: CLIENT_ID, clientSecret: SECRET }] });
    crm = await startFakeCrm({ latencyMs: 1 });
    return { sandbox, crm, dir: mkdtempSync(join(tmpdir(), 'lifecycle-')) };
  }

  /** Sends SIGTERM and returns the exit code and how long the process took to end. */
  async function stopTimed(p: CliProcess): Promise<{ code: number | string; ms: number }> {
    const started = Date.now();
    const code = await p.stop('SIGTERM');
    return { code, ms: Date.now() - started };
  }

  it('SIGTERM with an analytics webhook that never answers: exit 0 within the drain timeout, no write after end', async () => {
    const { sandbox, crm, dir } = await startWorld();
    let hooked = 0;
    const hook = await httpServer(() => {
      hooked++; // never answers
    });
    servers.push(hook.server);
    const configFile = join(dir, 'config.yaml');
    writeFileSync(configFile, yaml({ gatewayUrl: sandbox.url, crmUrl: crm.url, auditFile: join(dir, 'audit.jsonl'), webhookUrl: `${hook.url}/events` }));
    daemon = startCli(['run', '--config', configFile], { SECRET });
    await daemon.waitForOutput(/daemon started/);
    const queueId = sandbox.options.queues[0]!.id;
    for (let i = 0; i < 4; i++) await sandbox.traffic.startOne({ media: 'call', queueId, script: 'connect', speed: 50, until: 'connected', customerAddress: `tel:${knownPhone()}` });
    await waitFor(() => sandbox.org.writes.length >= 4 && hooked >= 2, { timeoutMs: 15_000, what: 'enrichments and webhook posts in flight' });
    const { code, ms } = await stopTimed(daemon);
    expect(daemon.stderr()).not.toMatch(/write after end/i);
    expect(code).toBe(0);
    // drainTimeoutMs 3 s plus the bounded stop steps, far below the webhook's 60 s timeout.
    expect(ms).toBeLessThan(3_000 + 8_000);
    expect(daemon.stderr()).toMatch(/daemon stopped/);
  }, 60_000);

  it('SIGTERM while a re-subscribe waits on Genesys: exit 0, no write after end', async () => {
    const { sandbox, crm, dir } = await startWorld();
    const configFile = join(dir, 'config.yaml');
    writeFileSync(configFile, yaml({ gatewayUrl: sandbox.url, crmUrl: crm.url, auditFile: join(dir, 'audit.jsonl') }));
    daemon = startCli(['run', '--config', configFile], { SECRET });
    await daemon.waitForOutput(/daemon started/);
    const channelId = sandbox.hub.channels()[0]!.id;
    const subscriptions = '/api/v2/notifications/channels/{channelId}/subscriptions';
    sandbox.faults.setLatency(subscriptions, 30_000);
    // Count calls as the sandbox takes them up (its call log only has finished ones).
    let arrived = 0;
    const latencyFor = sandbox.faults.latencyFor.bind(sandbox.faults);
    sandbox.faults.latencyFor = (endpoint) => {
      if (endpoint === subscriptions) arrived++;
      return latencyFor(endpoint);
    };
    expect(sandbox.hub.noLongerSubscribed(channelId)).toBe(true);
    // The daemon answers with a re-subscribe that now hangs in the sandbox.
    await waitFor(() => arrived >= 1, { timeoutMs: 10_000, what: 'the re-subscribe to reach the sandbox' });
    const { code, ms } = await stopTimed(daemon);
    expect(daemon.stderr()).not.toMatch(/write after end/i);
    expect(code).toBe(0);
    expect(ms).toBeLessThan(3_000 + 8_000);
  }, 60_000);

  it('SIGTERM while start-up waits on a Genesys that never answers the login: exit 0 at once', async () => {
    const crm = await startFakeCrm({ latencyMs: 1 });
    let logins = 0;
    const gateway = await httpServer(() => {
      logins++; // holds every request (genesys.timeoutMs is 60 s)
    });
    servers.push(gateway.server);
    const dir = mkdtempSync(join(tmpdir(), 'lifecycle-'));
    const configFile = join(dir, 'config.yaml');
    writeFileSync(configFile, yaml({ gatewayUrl: gateway.url, crmUrl: crm.url, auditFile: join(dir, 'audit.jsonl') }));
    try {
      daemon = startCli(['run', '--config', configFile], { SECRET });
      await waitFor(() => logins >= 1, { timeoutMs: 15_000, what: 'the login request' });
      const { code, ms } = await stopTimed(daemon);
      expect(code).toBe(0);
      expect(ms).toBeLessThan(5_000);
      expect(daemon.stderr()).not.toMatch(/write after end/i);
    } finally {
      await crm.stop();
    }
  }, 60_000);

  it('SIGTERM while start-up resolves queues on a slow Genesys: exit 0 at once', async () => {
    const { sandbox, crm, dir } = await startWorld();
    sandbox.faults.setLatency('/api/v2/routing/queues', 60_000);
    const configFile = join(dir, 'config.yaml');
    writeFileSync(configFile, yaml({ gatewayUrl: sandbox.url, crmUrl: crm.url, auditFile: join(dir, 'audit.jsonl') }));
    daemon = startCli(['run', '--config', configFile], { SECRET });
    await waitFor(() => sandbox.auth.issued.length >= 1, { timeoutMs: 15_000, what: 'the login' });
    const { code, ms } = await stopTimed(daemon);
    expect(code).toBe(0);
    expect(ms).toBeLessThan(5_000);
  }, 60_000);

  /**
   * Starts the CLI on a config FIFO held open by the test: the daemon's read of the config then
   * waits (inside config loading, fd visible in /proc) until `finish` writes the text and closes.
   */
  async function startOnHeldConfig(configFile: string): Promise<{ daemon: CliProcess; finish: (text: string) => void }> {
    execFileSync('mkfifo', [configFile]);
    // Read-write: the open does not wait for a reader, and the daemon sees no EOF until we close.
    const held = openSync(configFile, 'r+');
    const p = startCli(['run', '--config', configFile], { SECRET });
    daemon = p;
    const pid = p.child.pid!;
    await waitFor(() => hasOpen(pid, configFile), { timeoutMs: 15_000, what: 'the config read to begin' });
    return {
      daemon: p,
      finish: (text) => {
        writeSync(held, text);
        closeSync(held);
      },
    };
  }

  it('SIGHUP while the config is still being read does not kill the daemon; it reloads once started', async () => {
    const { sandbox, crm, dir } = await startWorld();
    const configFile = join(dir, 'config.yaml');
    const { daemon, finish } = await startOnHeldConfig(configFile);
    daemon.child.kill('SIGHUP');
    daemon.child.kill('SIGHUP');
    const text = yaml({ gatewayUrl: sandbox.url, crmUrl: crm.url, auditFile: join(dir, 'audit.jsonl') });
    finish(text);
    await daemon.waitForOutput(/daemon started/);
    // The held SIGHUP is served once the daemon runs (both count as one): its reload opens the
    // FIFO again, which a non-blocking open for writing sees.
    const writer = await waitFor(() => {
      try {
        return { fd: openSync(configFile, constants.O_WRONLY | constants.O_NONBLOCK) };
      } catch {
        return undefined; // ENXIO: nobody reads it yet
      }
    }, { timeoutMs: 15_000, what: 'the reload to read the config' });
    writeSync(writer.fd, text);
    closeSync(writer.fd);
    await daemon.waitForOutput(/config reloaded/);
    expect(daemon.stderr().match(/config reloaded/g)).toHaveLength(1);
    const { code } = await stopTimed(daemon);
    expect(code).toBe(0);
  }, 60_000);

  it('SIGTERM while the config is still being read ends the start with exit 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lifecycle-'));
    const configFile = join(dir, 'config.yaml');
    const { daemon, finish } = await startOnHeldConfig(configFile);
    daemon.child.kill('SIGTERM');
    try {
      await daemon.waitForOutput(/stopped by SIGTERM while reading the config/);
    } finally {
      // The read itself cannot be cancelled (a thread waits on the FIFO): release it, so that the
      // process can end. An empty config would be exit 2 if the stop had not been taken.
      finish('');
    }
    expect(await daemon.exited).toBe(0);
  }, 60_000);

  it('the fatal message on stderr carries no credentials from a gateway that echoes the request', async () => {
    const crm = await startFakeCrm({ latencyMs: 1 });
    let seenAuth = '';
    const gateway = await httpServer((req, res) => {
      seenAuth = req.headers.authorization ?? '';
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'invalid_client', message: `rejected ${seenAuth}; raw ${seenAuth.replace(/^Basic /, '')}` }));
    });
    servers.push(gateway.server);
    const dir = mkdtempSync(join(tmpdir(), 'lifecycle-'));
    const configFile = join(dir, 'config.yaml');
    writeFileSync(configFile, yaml({ gatewayUrl: gateway.url, crmUrl: crm.url, auditFile: join(dir, 'audit.jsonl') }));
    try {
      daemon = startCli(['run', '--config', configFile], { SECRET });
      const code = await daemon.exited;
      expect(code).toBe(1);
      const credentials = Buffer.from(`${CLIENT_ID}:${SECRET}`).toString('base64');
      expect(seenAuth).toBe(`Basic ${credentials}`);
      const stderr = daemon.stderr();
      // Off a terminal the fatal line is JSON like the rest of the log.
      const fatal = JSON.parse(stderr.trim().split('\n').at(-1) ?? '') as { message?: string; error?: string };
      expect(fatal.message).toBe('fatal');
      expect(fatal.error).toMatch(/401/);
      expect(stderr).not.toContain(credentials);
      expect(stderr).not.toContain(SECRET);
    } finally {
      await crm.stop();
    }
  }, 60_000);

  it('a home config of the Genesys SDK that turns on trace logging has no effect', async () => {
    const { sandbox, crm, dir } = await startWorld();
    const home = join(dir, 'home');
    const traceFile = join(dir, 'sdk-trace.log');
    mkdirSync(join(home, '.genesyscloudjavascript'), { recursive: true });
    writeFileSync(
      join(home, '.genesyscloudjavascript', 'config'),
      ['[logging]', 'log_level = trace', 'log_format = text', 'log_to_console = true', `log_file_path = ${traceFile}`, 'log_request_body = true', 'log_response_body = true', '[general]', 'live_reload_config = true', ''].join('\n'),
    );
    const configFile = join(dir, 'config.yaml');
    writeFileSync(configFile, yaml({ gatewayUrl: sandbox.url, crmUrl: crm.url, auditFile: join(dir, 'audit.jsonl') }));
    daemon = startCli(['run', '--config', configFile], { SECRET, HOME: home });
    await daemon.waitForOutput(/daemon started/);
    const queueId = sandbox.options.queues[0]!.id;
    await sandbox.traffic.startOne({ media: 'call', queueId, script: 'connect', speed: 50, until: 'connected', customerAddress: `tel:${knownPhone()}` });
    await waitFor(() => sandbox.org.writes.length >= 1, { timeoutMs: 15_000, what: 'a PATCH' });
    const { code } = await stopTimed(daemon);
    expect(code).toBe(0);
    // The SDK would have created its trace file and printed request lines (with the PATCH body).
    expect(existsSync(traceFile)).toBe(false);
    expect(daemon.stdout()).toBe('');
    expect(daemon.stderr()).not.toMatch(/\/api\/v2\/conversations\/[^"]*participants/);
  }, 60_000);
});
