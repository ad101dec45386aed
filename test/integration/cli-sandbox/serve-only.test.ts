/**
 * `sandbox --serve-only` (built CLI): the org and the fake CRM without a daemon, and export lines
 * that a shell evaluates into what the operator commands need. The test sources the printed
 * output with `sh`, then runs `check` (every check OK), `inspect` on a live conversation, a short
 * `run` that enriches, and `audit` on the trail it wrote, all with `--config "$SANDBOX_CONFIG"`.
 * Also: bad `sandbox` flag values exit 2 with a message before anything starts.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli, type CliProcess } from '../../helpers/cli-process.js';
import { waitFor } from '../../helpers/wait-for.js';

let served: CliProcess;
let dir: string;
let env: Record<string, string>;

/** The SANDBOX_* variables after a POSIX shell has sourced `text`. */
function sourced(text: string): Record<string, string> {
  const file = join(dir, 'sandbox.env');
  writeFileSync(file, text);
  const dump = execFileSync('sh', ['-c', '. "$1" && env', 'sh', file], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
  return Object.fromEntries(
    dump
      .split('\n')
      .filter((l) => l.startsWith('SANDBOX_'))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

interface Truth {
  id: string;
  agentConnected: boolean;
  crmCustomerId?: string;
  endedAt?: number;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'serve-only-'));
  served = startCli(['sandbox', '--serve-only', '--rate', '4', '--audit-file', join(dir, 'audit.jsonl')]);
  await served.waitForOutput(/^# Ctrl-C stops the sandbox\.$/m);
  env = sourced(served.stdout());
}, 30_000);

afterAll(async () => {
  // Ctrl-C stops the sandbox cleanly.
  expect(await served.stop('SIGINT'), served.stderr()).toBe(0);
  rmSync(dir, { recursive: true, force: true });
});

describe('sandbox --serve-only stopping', () => {
  it('ends with 0 on --duration', async () => {
    const r = await runCli(['sandbox', '--serve-only', '--duration', '1']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^export SANDBOX_GATEWAY_URL=/m);
  });
});

describe('sandbox --serve-only', () => {
  it('prints only export lines and comments, which name the gateway, client, CRM, audit file and config', () => {
    const lines = served.stdout().split('\n').filter((l) => l !== '');
    expect(lines.every((l) => l.startsWith('# ') || /^export SANDBOX_[A-Z_]+='[^']*'$/.test(l)), served.stdout()).toBe(true);
    expect(env.SANDBOX_GATEWAY_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(env.SANDBOX_CRM_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(env.SANDBOX_CLIENT_ID).toBe('sandbox-client');
    expect(env.SANDBOX_CLIENT_SECRET).not.toBe('');
    expect(env.SANDBOX_CRM_TOKEN).toMatch(/^[0-9a-f]{24}$/);
    expect(env.SANDBOX_AUDIT_FILE).toBe(join(dir, 'audit.jsonl'));
    expect(existsSync(env.SANDBOX_CONFIG ?? '')).toBe(true);
    // No daemon: nothing has been written to the org.
    expect(served.stdout()).not.toMatch(/enriched|Summary/);
  });

  it('check passes every check against it', async () => {
    const r = await runCli(['check', '--config', env.SANDBOX_CONFIG!], env);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^all checks passed: \d+ ok, 0 warnings, 0 failed, 0 skipped$/m);
    expect(r.stdout).toMatch(/^OK\s+crm\s/m);
  });

  it('inspect explains a live conversation of a customer the CRM knows, writing nothing', async () => {
    let conversation: Truth | undefined;
    await waitFor(async () => {
      const truth = (await (await fetch(`${env.SANDBOX_GATEWAY_URL!}/sandbox/truth`)).json()) as Truth[];
      conversation = truth.find((c) => c.agentConnected && c.crmCustomerId !== undefined && c.endedAt === undefined);
      return conversation !== undefined;
    }, { what: 'a live conversation with a connected agent', timeoutMs: 15_000 });
    const r = await runCli(['inspect', '--config', env.SANDBOX_CONFIG!, '--conversation', conversation!.id], env);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`conversation ${conversation!.id}`);
    expect(r.stdout).toMatch(/^crm: found a record/m);
    expect(r.stdout).toMatch(/nothing was written/);
  });

  it('a short run enriches conversations into the audit file, and audit reads it', async () => {
    const daemon = startCli(['run', '--config', env.SANDBOX_CONFIG!], env);
    const auditFile = env.SANDBOX_AUDIT_FILE!;
    try {
      await waitFor(() => existsSync(auditFile) && readFileSync(auditFile, 'utf8').includes('"event":"enriched"'), {
        what: 'an enriched line in the audit file',
        timeoutMs: 20_000,
      });
    } finally {
      expect(await daemon.stop('SIGTERM'), daemon.stderr()).toBe(0);
    }
    const r = await runCli(['audit', auditFile], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^\s+enriched\s+[1-9]\d*$/m);
  }, 40_000);
});

describe('sandbox flag values', () => {
  it.each([
    [['--rate', '0'], /--rate must be above 0/],
    [['--port', '99999'], /--port must be a whole number from 0 to 65535/],
    [['--rate', 'fast'], /--rate must be a number/],
    [['--duration=-1'], /--duration must be from 0/],
    [['--http-listen', 'nowhere'], /--http-listen must be HOST:PORT/],
  ])('sandbox %j exits 2 with a message, before starting anything', async (args, message) => {
    const started = Date.now();
    const r = await runCli(['sandbox', ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).not.toMatch(/Sandbox Genesys org/);
    // Generous against a loaded machine: the check runs before the SDK is even loaded (about
    // 0.2 s on an idle one); a hang or a started sandbox would take far longer.
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
