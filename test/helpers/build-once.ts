/**
 * Vitest global setup: the end-to-end tests run the built CLI (dist/), so build it once before
 * any test file when a source file is newer than the build (a no-op after `npm run build`).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** True when dist/src/cli.js is missing or older than some file under src/. */
export function buildIsStale(root: string = ROOT): boolean {
  const cli = join(root, 'dist/src/cli.js');
  return !existsSync(cli) || statSync(cli).mtimeMs < newestSource(join(root, 'src'));
}

export default function setup(): void {
  if (!buildIsStale()) return;
  execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.json')], { cwd: ROOT, stdio: 'inherit' });
}
