/**
 * Hostile config sizes: a deeply nested file is a config error (exit 2), not a stack overflow
 * (exit 1); a huge attribute map loads in time linear in its size; duplicate YAML keys are still
 * found at any depth.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/index.js';
import { describeFailure } from '../../../src/cli/exit.js';
import { ENV, minimalRaw } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'config-size-'));
const write = (name: string, text: string): string => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};

async function loadError(file: string): Promise<unknown> {
  return loadConfig(file, { env: ENV }).then(() => undefined, (err: unknown) => err);
}

/** A YAML config whose attribute map has `n` entries. */
function yamlWithMap(n: number): string {
  const lines = ['genesys:', '  region: mypurecloud.de', '  clientId: x', '  clientSecret: ${GENESYS_CLIENT_SECRET}', 'queues:', '  - name: A',
    'flow:', '  id: 0f3b1c2d-4e5f-4a6b-8c7d-9e0f1a2b3c4d', 'crm:', '  url: https://crm.example.com/c?phone={phone}', 'attributes:', '  map:'];
  for (let i = 0; i < n; i++) lines.push(`    Flow.k${i}: /account/k${i}`);
  return `${lines.join('\n')}\n`;
}

describe('config size limits', () => {
  it.each([
    ['JSON arrays', 'deep.json', `{"attributes":{"map":{"Flow.a":"/a"}},"flow":{"schema":${'['.repeat(50_000)}${']'.repeat(50_000)}}}`],
    ['JSON objects', 'deep-obj.json', `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`],
    ['YAML flow sequences', 'deep.yaml', `flow:\n  schema: ${'['.repeat(5_000)}${']'.repeat(5_000)}\n`],
    ['YAML block mappings', 'deep-block.yaml', Array.from({ length: 200 }, (_, i) => `${' '.repeat(i)}k:`).join('\n') + ' 1\n'],
  ])('a deeply nested file (%s) is a config error naming the file, which exits 2', async (_what, name, text) => {
    const file = write(name, text);
    const err = await loadError(file);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toContain(file);
    expect(describeFailure(err).code).toBe(2);
  });

  it('names the nesting limit', async () => {
    const err = await loadError(write('deep2.json', JSON.stringify({ ...minimalRaw(), flow: { schema: JSON.parse(`${'['.repeat(100)}${']'.repeat(100)}`) as unknown } })));
    expect((err as ConfigError).message).toMatch(/flow\.schema.*is nested deeper than 64 levels/);
  });

  it('loads a 200,000-key attribute map from JSON in linear time (a generous bound)', async () => {
    const raw = minimalRaw();
    const map: Record<string, string> = {};
    for (let i = 0; i < 200_000; i++) map[`Flow.k${i}`] = `/account/k${i}`;
    const file = write('big.json', JSON.stringify({ ...raw, attributes: { map } }));
    const started = performance.now();
    const config = await loadConfig(file, { env: ENV });
    const ms = performance.now() - started;
    expect(Object.keys(config.attributes.map)).toHaveLength(200_000);
    // About 0.3 s on an idle machine, 5 s with eight test runs on two cores; quadratic took minutes.
    expect(ms).toBeLessThan(15_000);
  });

  it('loads a 40,000-key map from YAML without the quadratic duplicate-key check', async () => {
    const file = write('big.yaml', yamlWithMap(40_000));
    const started = performance.now();
    const config = await loadConfig(file, { env: ENV });
    const ms = performance.now() - started;
    expect(Object.keys(config.attributes.map)).toHaveLength(40_000);
    // About 1 s idle, 3 s on a busy machine; with the library's pairwise key check, 25 s and more.
    expect(ms).toBeLessThan(10_000);
  });

  it.each([
    ['in a nested mapping', 'crm:\n  url: https://x/{phone}\n  timeoutMs: 5\n  headers:\n    A: b\n    A: c\n', 6],
    ['inside a sequence', 'queues:\n  - name: A\n    id: x\n    name: B\n', 4],
    ['in a large map, late', `${yamlWithMap(3)}    Flow.k1: /x\n`, 16],
  ])('still refuses a duplicate YAML key %s, naming its line', async (_what, text, line) => {
    const err = await loadError(write('dup.yaml', text));
    expect((err as ConfigError).message).toMatch(new RegExp(`YAML: Map keys must be unique at line ${line}, column \\d+`));
  });
});
