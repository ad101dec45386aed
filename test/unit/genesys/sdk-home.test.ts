/**
 * The Genesys SDK reads ~/.genesyscloudjavascript/config when loaded: only genesys/sdk.ts may
 * load it (with no home), so no other module of the daemon may import it as a value.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { withoutHome } from '../../../src/genesys/sdk.js';

const SRC = fileURLToPath(new URL('../../../src', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

describe('loading the Genesys SDK', () => {
  it('happens in genesys/sdk.ts only: every other module imports its types alone', () => {
    const valueImports = sourceFiles(SRC)
      .filter((file) => relative(SRC, file) !== join('genesys', 'sdk.ts'))
      .filter((file) =>
        readFileSync(file, 'utf8')
          .split('\n')
          .some((line) => /from 'purecloud-platform-client-v2'/.test(line) && !/^import type /.test(line)),
      )
      .map((file) => relative(SRC, file));
    expect(valueImports).toEqual([]);
  });

  it('withoutHome points HOME under /dev/null and puts it back, an unset HOME included', () => {
    const saved = process.env.HOME;
    try {
      process.env.HOME = '/home/someone';
      expect(withoutHome(() => process.env.HOME)).toBe('/dev/null');
      expect(process.env.HOME).toBe('/home/someone');
      delete process.env.HOME;
      expect(() => withoutHome(() => { throw new Error('boom'); })).toThrow('boom');
      expect('HOME' in process.env).toBe(false);
    } finally {
      if (saved === undefined) delete process.env.HOME;
      else process.env.HOME = saved;
    }
  });
});
