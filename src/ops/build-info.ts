/** What `genesys_enricher_build_info` and the start-up line say about the running program. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The program's version and the Node version it runs on. */
export interface BuildInfo {
  readonly version: string;
  readonly node: string;
}

let cached: BuildInfo | undefined;

/**
 * Reads the version from the package.json found by walking up from this file (the same from
 * src/ under tsx and from dist/src/); `unknown` when none is readable, never a throw.
 */
export function buildInfo(): BuildInfo {
  cached ??= { version: packageVersion(dirname(fileURLToPath(import.meta.url))) ?? 'unknown', node: process.versions.node };
  return cached;
}

function packageVersion(start: string): string | undefined {
  let dir = start;
  for (let i = 0; i < 5; i++, dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'genesys-enricher' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // not here: keep walking up
    }
  }
  return undefined;
}
