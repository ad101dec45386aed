/** Comments in src/ point only at files the repository has (design notes kept elsewhere do not ship). */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

describe('references in src/', () => {
  const files = sourceFiles(join(ROOT, 'src'));

  it('cite no notes outside the repository', () => {
    const outside = /\b(design|genesys-api|stack-notes)\.md\b|\.\.\/shared\//;
    const hits = files.flatMap((f) => readFileSync(f, 'utf8').split('\n').map((line, i) => [f.slice(ROOT.length), i + 1, line] as const)).filter(([, , line]) => outside.test(line));
    expect(hits.map(([f, n]) => `${f}:${n}`)).toEqual([]);
  });

  it('name only docs/ pages that exist', () => {
    const named = new Set(files.flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/\bdocs\/[\w-]+\.md\b/g)].map((m) => m[0])));
    expect(named.size).toBeGreaterThan(0);
    expect([...named].filter((p) => !existsSync(join(ROOT, p)))).toEqual([]);
  });
});
