/**
 * Metrics through events (issue 12 item 3): no module outside src/ops/ imports prom-client, and
 * only src/ops/, the composition root and its observer import the metrics modules. Checked over
 * the source text here, and configured as an ESLint rule so a wrong import fails the lint too.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const MAY_HOLD_METRICS = (file: string): boolean => file.startsWith('src/ops/') || file === 'src/daemon.ts' || file === 'src/daemon/observe.ts';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith('.ts') ? [relative(ROOT, path)] : [];
  });
}

/** Module specifiers of every import and export-from in a file. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]/gm), ...text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1]!);
}

describe('metrics are reached through events', () => {
  const files = sources(join(ROOT, 'src'));

  it('finds the source files and their imports', () => {
    expect(files).toContain('src/enrich/pipeline.ts');
    expect(importsOf('src/ops/metrics.ts')).toContain('prom-client');
  });

  it('only src/ops/ imports prom-client', () => {
    expect(files.filter((f) => !f.startsWith('src/ops/') && importsOf(f).includes('prom-client'))).toEqual([]);
  });

  it('only src/ops/, the composition root and its observer import the metrics modules', () => {
    const offenders = files.filter((f) => !MAY_HOLD_METRICS(f) && importsOf(f).some((s) => /\/ops\/(metrics|metric-events)(\.js)?$/.test(s)));
    expect(offenders).toEqual([]);
  });

  it('ESLint enforces the same rule on component files and not on src/ops/', async () => {
    const eslint = new ESLint({ cwd: ROOT });
    const component = (await eslint.calculateConfigForFile(join(ROOT, 'src/enrich/pipeline.ts'))) as { rules: Record<string, unknown> };
    expect(JSON.stringify(component.rules['no-restricted-imports'])).toMatch(/prom-client.*ops\/metrics/s);
    const ops = (await eslint.calculateConfigForFile(join(ROOT, 'src/ops/metrics.ts'))) as { rules: Record<string, unknown> };
    expect(ops.rules['no-restricted-imports']).toBeUndefined();
  });
});
