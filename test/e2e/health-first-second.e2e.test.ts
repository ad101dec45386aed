/**
 * Health from the first second, through the built CLI: the ops server listens before the login,
 * so `/healthz` answers (state `starting`) and `/readyz` says why it is not ready while Genesys
 * cannot be reached; a busy ops port ends the daemon before any Genesys call.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer, type Server as NetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startCli, type CliProcess } from '../helpers/cli-process.js';
import { waitFor } from '../helpers/wait-for.js';

async function listen<T extends NetServer | Server>(server: T): Promise<{ server: T; port: number }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { server, port: address.port };
}

async function close(server: NetServer | Server): Promise<void> {
  await new Promise((resolve) => server.close(resolve));
}

/** A port nobody listens on right now. */
async function freePort(): Promise<number> {
  const { server, port } = await listen(createServer());
  await close(server);
  return port;
}

function configYaml(gateway: string, listenAt: string, dir: string): string {
  return `
genesys:
  gatewayUrl: ${gateway}
  clientId: sandbox-client
  clientSecret: health-secret-1f2e
queues:
  - id: 6f1c1b1e-0000-4000-8000-000000000001
flow:
  id: 6f1c1b1e-0000-4000-8000-0000000000f1
crm:
  url: http://127.0.0.1:9/customers?phone={phone?}
attributes:
  map:
    Flow.accountId: /account/id
audit:
  file: ${join(dir, 'audit.jsonl')}
http:
  listen: ${listenAt}
log:
  format: json
`;
}

describe('health from the first second', () => {
  let cli: CliProcess | undefined;
  const servers: (NetServer | Server)[] = [];
  afterEach(async () => {
    await cli?.stop('SIGKILL');
    for (const s of servers.splice(0)) await close(s);
  });

  it('/healthz answers and /readyz names the wait while Genesys is unreachable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'health-'));
    const opsPort = await freePort();
    const deadGateway = `http://127.0.0.1:${await freePort()}`;
    writeFileSync(join(dir, 'config.yaml'), configYaml(deadGateway, `127.0.0.1:${opsPort}`, dir));
    cli = startCli(['run', '--config', join(dir, 'config.yaml')]);
    await cli.waitForOutput(/Genesys not reachable at start-up/);
    const health = await fetch(`http://127.0.0.1:${opsPort}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', state: 'starting' });
    const ready = await waitFor(async () => {
      const r = await fetch(`http://127.0.0.1:${opsPort}/readyz`);
      const body = (await r.json()) as { status: string; checks: { name: string; detail: string }[] };
      return r.status === 503 && /Genesys unreachable, next try in \d+ s/.test(body.checks[0]?.detail ?? '') ? body : undefined;
    }, { timeoutMs: 10_000, what: '/readyz naming the wait' });
    expect(ready.status).toBe('unready');
    expect(ready.checks).toHaveLength(1);
    expect(ready.checks[0]?.name).toBe('start-up');
    expect(await cli.stop('SIGTERM')).toBe(0);
  }, 30_000);

  it('a busy ops port ends the daemon before any Genesys call, with a JSON fatal line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'health-busy-'));
    const busy = await listen(createServer());
    servers.push(busy.server);
    let genesysCalls = 0;
    const genesys = await listen(createHttpServer((_req, res) => {
      genesysCalls++;
      res.writeHead(503).end();
    }));
    servers.push(genesys.server);
    writeFileSync(join(dir, 'config.yaml'), configYaml(`http://127.0.0.1:${genesys.port}`, `127.0.0.1:${busy.port}`, dir));
    const started = Date.now();
    cli = startCli(['run', '--config', join(dir, 'config.yaml')]);
    expect(await cli.exited).toBe(1);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(genesysCalls).toBe(0);
    const lines = cli.stderr().trim().split('\n');
    for (const line of lines) expect(() => JSON.parse(line) as unknown, line).not.toThrow();
    expect(cli.stderr()).toMatch(new RegExp(`cannot listen on 127\\.0\\.0\\.1:${busy.port} \\(EADDRINUSE\\)`));
  }, 30_000);

  it('the fatal line follows the log format of the config: pretty stays pretty', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'health-pretty-'));
    const busy = await listen(createServer());
    servers.push(busy.server);
    writeFileSync(join(dir, 'config.yaml'), configYaml('http://127.0.0.1:9', `127.0.0.1:${busy.port}`, dir).replace('format: json', 'format: pretty'));
    cli = startCli(['run', '--config', join(dir, 'config.yaml')]);
    expect(await cli.exited).toBe(1);
    const last = cli.stderr().trim().split('\n').at(-1) ?? '';
    expect(last.startsWith('{')).toBe(false);
    expect(last).toMatch(/error +\[cli\] fatal +error=ops\.listen: cannot listen on .*EADDRINUSE.* exitCode=1/);
  }, 30_000);
});
