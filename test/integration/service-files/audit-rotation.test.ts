/**
 * Log rotation of the audit trail as docs/operations.md describes it: the built CLI (sandbox mode)
 * writes audit lines, the file is rotated (by logrotate with config/logrotate.conf when logrotate
 * is installed, else by the same rename + SIGUSR1 by hand), and the daemon carries on in a new file
 * without losing or repeating a line. Needs the build (`npm test` builds first).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AuditLine } from '../../../src/sinks/audit.js';
import { startCli, type CliProcess } from '../../helpers/cli-process.js';
import { waitFor } from '../../helpers/wait-for.js';

const SHIPPED_AUDIT_PATH = '/var/log/genesys-enricher/audit.jsonl';
const hasLogrotate = spawnSync('logrotate', ['--version']).error === undefined;
const how = hasLogrotate ? 'logrotate with config/logrotate.conf' : 'rename + SIGUSR1 by hand (logrotate is not installed)';

/** Complete audit lines of a file (a line being written may be cut). */
function readLines(file: string): AuditLine[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.endsWith('}'))
    .map((l) => JSON.parse(l) as AuditLine);
}

/** The shipped rules pointed at `auditFile`, with the daemon's pid instead of systemctl. */
function logrotateConfig(auditFile: string, pid: number): string {
  const shipped = readFileSync(new URL('../../../config/logrotate.conf', import.meta.url), 'utf8');
  expect(shipped).toContain(`${SHIPPED_AUDIT_PATH} {`);
  return shipped
    .replace(`${SHIPPED_AUDIT_PATH} {`, `${auditFile} {`)
    // The test's folder belongs to whoever runs it; there is no genesys-enricher user here.
    .replace(/^\s*su \S+ \S+$/m, '')
    .replace(/^\s*systemctl kill .*$/m, `        kill -USR1 ${pid}`);
}

/** A port nobody listens on right now (the sandbox command does not report the one it bound). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('audit trail rotation', () => {
  const dir = mkdtempSync(join(tmpdir(), 'audit-rotation-'));
  const auditFile = join(dir, 'audit.jsonl');
  let cli: CliProcess | undefined;
  afterAll(async () => {
    await cli?.stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it(`moves to a new file after ${how}, losing no line`, async () => {
    const port = await freePort();
    cli = startCli(['sandbox', '--rate', '40', '--audit-file', auditFile, '--http-listen', `127.0.0.1:${port}`]);
    const pid = cli.child.pid ?? 0;
    // /healthz answers once start-up is complete, and so the SIGUSR1 handler is in place.
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok, { timeoutMs: 20_000, what: '/healthz' });
    await waitFor(() => readLines(auditFile).length >= 2, { timeoutMs: 20_000, what: 'two audit lines' });

    if (hasLogrotate) {
      const conf = join(dir, 'logrotate.conf');
      writeFileSync(conf, logrotateConfig(auditFile, pid), { mode: 0o600 });
      const r = spawnSync('logrotate', ['--force', '--state', join(dir, 'logrotate.state'), conf], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    } else {
      renameSync(auditFile, `${auditFile}-rotated`);
      process.kill(pid, 'SIGUSR1');
    }
    await waitFor(() => readLines(auditFile).length >= 2, { timeoutMs: 20_000, what: 'audit lines in the new file' }).catch((err: unknown) => {
      const files = readdirSync(dir).map((f) => `${f}: ${readLines(join(dir, f)).length} lines`).join(', ');
      const state = `exit ${String(cli?.child.exitCode)} signal ${String(cli?.child.signalCode)}`;
      throw new Error(`no lines after the rotation (${state}; ${files})\n--- stdout ---\n${cli?.stdout().slice(-2000) ?? ''}\n--- stderr ---\n${cli?.stderr().slice(-2000) ?? ''}`, { cause: err });
    });
    expect(await cli.stop('SIGTERM')).toBe(0);

    const rotated = readdirSync(dir).filter((f) => f.startsWith('audit.jsonl') && f !== 'audit.jsonl');
    // One rotated file, left uncompressed (delaycompress): it may still receive lines until the USR1.
    expect(rotated).toHaveLength(1);
    expect(rotated[0]).not.toMatch(/\.gz$/);
    const before = readLines(join(dir, rotated[0]!));
    const after = readLines(auditFile);
    expect(before.length).toBeGreaterThanOrEqual(2);
    expect(after.at(0)!.ts >= before.at(-1)!.ts).toBe(true);

    // The daemon's own count of decisions, printed on stop, matches the lines across both files.
    const summary = /Summary: seen \d+, enriched (\d+), skipped (\d+), failed (\d+)/.exec(cli.stdout());
    expect(summary).not.toBeNull();
    const decisions = summary!.slice(1, 4).reduce((sum, n) => sum + Number(n), 0);
    const all = [...before, ...after];
    expect(all).toHaveLength(decisions);
    expect(new Set(all.map((l) => l.traceId)).size).toBe(all.length);
  }, 60_000);
});
