/** Counts and latency percentiles over the audit records a run showed, and what it ignored. */
import type { AuditFilter } from './filter.js';
import { clean, formatMs, formatTime } from './format.js';
import type { AuditRecord } from './record.js';

// How many unreadable line numbers the summary names before it only counts.
const LINE_NUMBERS_SHOWN = 5;
const EVENT_ORDER = ['enriched', 'would-enrich', 'skipped', 'failed'];

/** Accumulates one run's records; {@link formatSummary} renders it. */
export class AuditSummary {
  total = 0;
  readonly events = new Map<string, number>();
  /** event -> reason -> count. */
  readonly reasons = new Map<string, Map<string, number>>();
  readonly crm = new Map<string, number>();
  /** `latencyMs.total` of enriched records. */
  readonly enrichedMs: number[] = [];
  /** Lines that were not audit lines (line numbers in their file). */
  readonly unreadable: number[] = [];
  /** A last line cut short (the writer was stopped mid-line). */
  incomplete = 0;

  add(r: AuditRecord): void {
    this.total += 1;
    bump(this.events, r.event);
    if (r.reason !== undefined) {
      const byReason = this.reasons.get(r.event) ?? new Map<string, number>();
      bump(byReason, r.reason);
      this.reasons.set(r.event, byReason);
    }
    if (r.crm !== undefined) bump(this.crm, r.crm);
    if (r.event === 'enriched' && r.totalMs !== undefined) this.enrichedMs.push(r.totalMs);
  }
}

/** Latency figures of the enriched records. */
export interface LatencyFigures {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

/** p50/p90/p99/max (nearest rank), or undefined without samples. */
export function latencyFigures(samples: readonly number[]): LatencyFigures | undefined {
  if (samples.length === 0) return undefined;
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] ?? 0 };
}

/** The nearest-rank percentile `p` (0..100) of ascending, non-empty `sorted`. */
export function percentile(sorted: readonly number[], p: number): number {
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? 0;
}

/** The summary block printed after the records. */
export function formatSummary(s: AuditSummary, filter: AuditFilter = {}): string {
  const lines = [`Summary: ${plural(s.total, 'decision')}${describeFilter(filter)}`];
  const events = [...s.events.keys()].sort(byEventOrder);
  const width = Math.max(8, ...events.map((e) => clean(e).length));
  for (const event of events) {
    const reasons = s.reasons.get(event);
    const detail = reasons ? `   ${byCount(reasons).map(([r, n]) => `${clean(r)} ${n}`).join(', ')}` : '';
    lines.push(`  ${clean(event).padEnd(width)} ${String(s.events.get(event) ?? 0).padStart(6)}${detail}`);
  }
  if (s.crm.size > 0) lines.push(`  ${'crm'.padEnd(width)}        ${byCount(s.crm).map(([o, n]) => `${clean(o)} ${n}`).join(', ')}`);
  const latency = latencyFigures(s.enrichedMs);
  if (latency) {
    const f = (ms: number): string => formatMs(ms);
    lines.push(`  ${'latency'.padEnd(width)}        enriched, total: p50 ${f(latency.p50)}, p90 ${f(latency.p90)}, p99 ${f(latency.p99)}, max ${f(latency.max)} (${s.enrichedMs.length} samples)`);
  }
  const dry = s.events.get('would-enrich') ?? 0;
  // Shadow-mode lines say what a live run would have written: said plainly, so nobody reads them as writes.
  if (dry > 0) lines.push(`  ${'dry run'.padEnd(width)}        ${plural(dry, 'conversation')} would have been enriched (run --dry-run: nothing was written)`);
  const ignored = ignoredText(s);
  if (ignored) lines.push(`  ${'ignored'.padEnd(width)}        ${ignored}`);
  return `${lines.join('\n')}\n`;
}

/** `2 unreadable lines (3, 7), 1 incomplete last line`, or '' when nothing was ignored. */
export function ignoredText(s: Pick<AuditSummary, 'unreadable' | 'incomplete'>): string {
  const parts: string[] = [];
  if (s.unreadable.length > 0) {
    const shown = s.unreadable.slice(0, LINE_NUMBERS_SHOWN).join(', ');
    const more = s.unreadable.length > LINE_NUMBERS_SHOWN ? ', ...' : '';
    parts.push(`${plural(s.unreadable.length, 'unreadable line')} (line ${shown}${more})`);
  }
  if (s.incomplete > 0) parts.push(plural(s.incomplete, 'incomplete last line'));
  return parts.join(', ');
}

function describeFilter(f: AuditFilter): string {
  const parts: string[] = [];
  if (f.conversationId !== undefined) parts.push(`conversation ${f.conversationId}`);
  if (f.sinceMs !== undefined) parts.push(`since ${formatTime(f.sinceMs)}`);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function byCount(map: ReadonlyMap<string, number>): [string, number][] {
  return [...map.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

function byEventOrder(a: string, b: string): number {
  const rank = (e: string): number => (EVENT_ORDER.includes(e) ? EVENT_ORDER.indexOf(e) : EVENT_ORDER.length);
  return rank(a) - rank(b) || a.localeCompare(b);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
