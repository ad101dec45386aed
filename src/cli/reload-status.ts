/**
 * The outcome of the last config reload, in a small JSON file: `reload` (what the systemd unit's
 * ExecReload runs) sends SIGHUP and waits here for the outcome, so `systemctl reload` fails when
 * the daemon rejected the new config. The file lives in the service's runtime directory.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What the file holds. */
export interface ReloadStatus {
  /** The daemon's pid (a status of an earlier process is not an answer). */
  readonly pid: number;
  /** Reloads finished since start, accepted or rejected. */
  readonly reloads: number;
  readonly ok: boolean;
  /** Why the last reload was rejected (scrubbed, like every message the daemon prints). */
  readonly error?: string;
  readonly at: string;
}

/** Environment variable naming the file; else `$RUNTIME_DIRECTORY/reload-status.json` (systemd). */
export const STATUS_FILE_ENV = 'GENESYS_ENRICHER_STATUS_FILE';

/** Where the status goes in this environment, or undefined when nowhere is configured. */
export function reloadStatusFile(env: NodeJS.ProcessEnv): string | undefined {
  const named = env[STATUS_FILE_ENV];
  if (named !== undefined && named !== '') return named;
  // systemd may list several runtime directories, colon-separated: the first is ours.
  const runtime = env.RUNTIME_DIRECTORY?.split(':')[0];
  return runtime !== undefined && runtime !== '' ? join(runtime, 'reload-status.json') : undefined;
}

/** Replaces the file in one rename, so a reader never sees half of it. */
export function writeReloadStatus(file: string, status: ReloadStatus): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(status)}\n`);
  renameSync(tmp, file);
}

/** The file's status, or undefined when it is missing or not one. */
export function readReloadStatus(file: string): ReloadStatus | undefined {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.pid !== 'number' || typeof v.reloads !== 'number' || typeof v.ok !== 'boolean' || typeof v.at !== 'string') return undefined;
  return { pid: v.pid, reloads: v.reloads, ok: v.ok, at: v.at, ...(typeof v.error === 'string' && { error: v.error }) };
}
