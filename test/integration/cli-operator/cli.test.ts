/** `check` and `inspect` through the built CLI (run `npx tsc -p .` first; `npm test` builds). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli-process.js';
import { startHarness, type Harness } from './harness.js';

describe('check and inspect as child processes', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.stop();
  });

  it('check exits 0 and prints the report for a good config', async () => {
    const r = await runCli(['check', '--config', h.config('cli-good')], h.env);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^OK\s+topics\s+3 topics permitted/m);
    expect(r.stdout).toMatch(/^all checks passed: /m);
  });

  it('check exits 2 for a bad key, naming the file and the key', async () => {
    const file = h.config('cli-bad', { extra: 'pipeline:\n  queueSize: lots\n' });
    const r = await runCli(['check', '--config', file], h.env);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(file);
    expect(r.stdout).toMatch(/pipeline\.queueSize/);
  });

  it('inspect exits 0 on a dry run of a connected conversation and writes nothing', async () => {
    const conv = await h.sandbox.traffic.startOne({ media: 'call', queueId: h.sandbox.options.queues[1]!.id, script: 'connect', until: 'connected', speed: 50 });
    h.sandbox.traffic.pause();
    const r = await runCli(['inspect', '--config', h.config('cli-inspect'), '--conversation', conv.id], h.env);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^decision: enrich now/m);
    expect(r.stdout).toMatch(/^nothing was written/m);
    expect(h.sandbox.org.writes.filter((w) => w.conversationId === conv.id)).toEqual([]);
  });

  it('inspect exits 1 for an unknown conversation', async () => {
    const r = await runCli(['inspect', '--config', h.config('cli-inspect'), '--conversation', 'no-such-conversation'], h.env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/conversation no-such-conversation was not found \(404\)/);
  });
});
