/** Help, version and bad options through the built CLI (run `npm run build` first). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../src/cli/commands.js';
import { runCli } from '../../helpers/cli-process.js';

const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };

describe('help and version', () => {
  it.each(COMMANDS.map((c) => c.name))('%s --help exits 0 with its options and an example', async (name) => {
    const spec = COMMANDS.find((c) => c.name === name)!;
    for (const args of [[name, '--help'], ['help', name], [name, '-h']]) {
      const r = await runCli(args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      for (const o of spec.options) expect(r.stdout).toContain(`--${o.name}`);
      expect(r.stdout).toMatch(/^Examples?:/m);
    }
  });

  it.each([['--version'], ['-V']])('%s prints the package version', async (flag) => {
    const r = await runCli([flag]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${pkg.version}\n`);
  });

  it('help with no command lists every command', async () => {
    const r = await runCli(['help']);
    expect(r.code).toBe(0);
    for (const c of COMMANDS) expect(r.stdout).toContain(c.name);
  });
});

describe('bad options exit 2 at once', () => {
  it.each([
    ['run', '--bogus'],
    ['run', '--config', 'x.yaml', '--log-level', 'loud'],
    ['run', '--config', 'x.yaml', '--log-format', 'xml'],
    ['run', '--config'],
    ['check', '--config', 'x.yaml', 'extra'],
    ['inspect', '--config', 'x.yaml'],
    ['audit'],
    ['audit', 'a', 'b'],
    ['sandbox', '--rate', 'lots'],
    ['sandbox', '--nope'],
    ['reload'],
    ['reload', '--pid', 'abc'],
    ['reload', '--pid', '1', '--timeout', '0', '--status-file', '/tmp/x.json'],
    ['help', 'nope'],
    ['nope'],
  ])('%s %s ...', async (...args) => {
    const started = Date.now();
    const r = await runCli(args);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.trim()).not.toBe('');
    // Usage errors are decided before anything slow loads.
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('GENESYS_ENRICHER_LOG_LEVEL with a bad value exits 2 naming the variable', async () => {
    const r = await runCli(['run', '--config', 'x.yaml'], { GENESYS_ENRICHER_LOG_LEVEL: 'chatty' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('GENESYS_ENRICHER_LOG_LEVEL');
  });

  it('a fatal error of run is a JSON line when the log format is JSON', async () => {
    const r = await runCli(['run', '--config', '/nonexistent/genesys-enricher.yaml', '--log-format', 'json']);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    for (const line of lines) expect(() => JSON.parse(line) as unknown, line).not.toThrow();
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ level: 'error', exitCode: 2 });
  });
});
