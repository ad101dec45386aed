/** Every runtime dependency is imported by the daemon's code: nothing ships that nothing uses. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

/**
 * Added ahead of the code that imports it, with the reason. The test fails once such a package is
 * imported, so that this list cannot go stale.
 */
const AHEAD_OF_USE: Readonly<Record<string, string>> = {
  ioredis: 'the cluster mode (issue 14) is being built on it',
};

describe('package.json dependencies', () => {
  it('are each imported somewhere under src/', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const code = sources(join(ROOT, 'src')).map((f) => readFileSync(f, 'utf8')).join('\n');
    const imported = (name: string): boolean => code.includes(`from '${name}'`) || code.includes(`from '${name}/`);
    const unused = Object.keys(pkg.dependencies).filter((name) => !imported(name));
    expect(unused.filter((name) => !Object.hasOwn(AHEAD_OF_USE, name))).toEqual([]);
    expect(Object.keys(AHEAD_OF_USE).filter(imported), 'now imported: remove from AHEAD_OF_USE').toEqual([]);
  });
});
