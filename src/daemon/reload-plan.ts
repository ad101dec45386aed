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

/**
 * Live sections of which only some keys are applied while running: a change to any other key of
 * the section needs a restart (the audit sink's options are fixed when it is built; only a new
 * `file` is opened on reload).
 */
const LIVE_KEYS: Readonly<Record<string, readonly string[]>> = { audit: ['file'] };

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
  const isLive = (k: string): boolean => LIVE_SECTIONS.has(k) && changedKeys(section(prev, k), section(next, k)).every((key) => LIVE_KEYS[k]?.includes(key) ?? true);
  return {
    changed,
    live: changed.filter((k) => isLive(k)),
    needsRestart: changed.filter((k) => !isLive(k)),
  };
}

function section(config: EnricherConfig, key: string): unknown {
  return (config as unknown as Record<string, unknown>)[key];
}

/** The keys whose values differ between two sections (objects); `*` when either is not one. */
function changedKeys(a: unknown, b: unknown): string[] {
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) || Array.isArray(b)) return ['*'];
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  return [...new Set([...Object.keys(ra), ...Object.keys(rb)])].filter((k) => JSON.stringify(ra[k]) !== JSON.stringify(rb[k]));
}
