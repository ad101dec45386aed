/** `genesys-enricher audit` as users run it: the built CLI as a child process, exit codes included. */
import { appendFileSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli } from '../../helpers/cli-process.js';
import { jsonLine } from '../../unit/cli-audit/fixtures.js';

const minutesAgo = (m: number): string => new Date(Date.now() - m * 60_000).toISOString();
const OLD = jsonLine({ conversationId: '447a0cc8-aaaa-4aaa-8aaa-000000000001', ts: minutesAgo(180), latencyMs: { total: 12.5 } });
const SKIP = jsonLine({ conversationId: '890220a7-bbbb-4bbb-8bbb-000000000002', ts: minutesAgo(30), event: 'skipped', reason: 'no-customer', crm: undefined, attributes: {} });
const FAIL = jsonLine({ conversationId: '3c3c3c3c-cccc-4ccc-8ccc-000000000003', ts: minutesAgo(5), event: 'failed', reason: 'write-failed', crm: 'stale', attributes: {} });

describe('genesys-enricher audit (built CLI)', () => {
  let dir: string;
  let file: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'audit-cli-'));
    file = join(dir, 'audit.jsonl');
    writeFileSync(file, `${OLD}\n{"broken":\n${SKIP}\n${FAIL}\n${SKIP.slice(0, 50)}`);
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('renders the trail and a summary, exit 0', async () => {
    const r = await runCli(['audit', file]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const records = r.stdout.split('\n').filter((l) => /^\d{4}-\d{2}-\d{2} /.test(l));
    expect(records).toHaveLength(3);
    expect(records[0]).toMatch(/ enriched +- +447a0cc8 +q=a1b2c3d4 +call +crm=cache-hit +written=2 +12\.5 ms$/);
    expect(records[1]).toMatch(/ skipped +no-customer +890220a7 /);
    expect(records[2]).toMatch(/ failed +write-failed +3c3c3c3c .* crm=stale /);
    expect(r.stdout).toContain('Summary: 3 decisions\n');
    expect(r.stdout).toMatch(/ failed +1 +write-failed 1\n/);
    expect(r.stdout).toContain('p50 12.5 ms, p90 12.5 ms, p99 12.5 ms, max 12.5 ms (1 samples)');
    expect(r.stdout).toContain('1 unreadable line (line 2), 1 incomplete last line');
  });

  it('filters with --since and --conversation', async () => {
    const r = await runCli(['audit', file, '--since', '1h', '--conversation', '3c3c']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\S+ \S+ +failed /);
    expect(r.stdout).toContain('Summary: 1 decision (conversation 3c3c, since ');
  });

  it('prints the kept JSON lines and nothing else with --json', async () => {
    const r = await runCli(['audit', file, '--json', '--since', '2h']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${SKIP}\n${FAIL}\n`);
    expect(r.stderr).toContain('ignored 1 unreadable line (line 2), 1 incomplete last line');
  });

  it.each<[string, string[], number, RegExp]>([
    ['a missing file', ['audit', '/nonexistent/audit.jsonl'], 1, /^genesys-enricher: audit: cannot read \/nonexistent\/audit\.jsonl: no such file\n$/],
    ['a bad --since', ['audit', 'FILE', '--since', 'last tuesday'], 2, /--since must be an ISO date or time/],
    ['no FILE', ['audit'], 2, /audit needs the audit FILE/],
  ])('exits with the right code for %s', async (_name, argv, code, message) => {
    const r = await runCli(argv.map((a) => (a === 'FILE' ? file : a)));
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it('--follow prints lines as they are appended, survives a rotation, and summarises on SIGINT', async () => {
    const live = join(dir, 'live.jsonl');
    writeFileSync(live, `${OLD}\n`);
    const p = startCli(['audit', live, '--follow']);
    try {
      await p.waitForOutput(/447a0cc8/);
      appendFileSync(live, `${SKIP}\n`);
      await p.waitForOutput(/890220a7/);
      renameSync(live, `${live}.1`);
      writeFileSync(live, `${FAIL}\n`);
      await p.waitForOutput(/3c3c3c3c/);
      expect(p.stdout()).not.toContain('Summary');
      expect(await p.stop('SIGINT')).toBe(0);
      expect(p.stdout()).toContain('Summary: 3 decisions\n');
      expect(p.stderr()).toBe('');
    } finally {
      await p.stop('SIGKILL');
    }
  });

  it('--follow stops on SIGTERM too', async () => {
    const p = startCli(['audit', file, '--follow', '--json']);
    try {
      await p.waitForOutput(/3c3c3c3c/);
      expect(await p.stop('SIGTERM')).toBe(0);
      expect(p.stdout()).toBe(`${OLD}\n${SKIP}\n${FAIL}\n`);
    } finally {
      await p.stop('SIGKILL');
    }
  });
});
