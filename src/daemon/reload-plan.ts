/**
 * Which config sections a reload changes, and which of those a running daemon can take over
 * without a restart. A pure function over two parsed configs, so the report of a reload names
 * exactly the sections that differ (never every section).
 */
import type { EnricherConfig } from '../config/index.js';

/**
 * Sections the daemon applies while it runs. Anything else that changes (the `genesys`
 * connection, `http`, `log`, and any section not listed here) is reported as needing a restart.
 */
export const LIVE_SECTIONS: ReadonlySet<string> = new Set([
  'queues',
  'media',
  'identity',
  'trigger',
  'target',
  'flow',
  'crm',
  'attributes',
  'analytics',
  'audit',
  'stream',
  'backfill',
  'pipeline',
]);

/** The sections a reload changes, split by how they take effect. */
export interface ReloadPlan {
  /** Every top-level section whose value differs, in config order. */
  readonly changed: readonly string[];
  /** The changed sections applied while running. */
  readonly live: readonly string[];
  /** The changed sections that take effect only after a restart. */
  readonly needsRestart: readonly string[];
}

/** Compares two parsed configs section by section (`warnings` are not config). */
export function planReload(prev: EnricherConfig, next: EnricherConfig): ReloadPlan {
  const keys = [...new Set([...Object.keys(prev), ...Object.keys(next)])].filter((k) => k !== 'warnings');
  const changed = keys.filter((k) => JSON.stringify(section(prev, k)) !== JSON.stringify(section(next, k)));
  return {
    changed,
    live: changed.filter((k) => LIVE_SECTIONS.has(k)),
    needsRestart: changed.filter((k) => !LIVE_SECTIONS.has(k)),
  };
}

function section(config: EnricherConfig, key: string): unknown {
  return (config as unknown as Record<string, unknown>)[key];
}
