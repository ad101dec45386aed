/**
 * The result of one `check` and how the report prints it: one line per result, detail lines
 * indented under it, plain text (no colour, no symbols a log file would mangle).
 */

/** `warn` is worth reading but does not fail the check; `skip` means a check it depends on failed. */
export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

/** One line of the report. Messages and details never hold secrets or customer data. */
export interface CheckResult {
  /** Short name of what was checked (`config`, `login`, `queue`, `flow`, ...). */
  readonly check: string;
  readonly status: CheckStatus;
  readonly message: string;
  readonly details?: readonly string[];
}

const LABEL = { ok: 'OK', warn: 'WARN', fail: 'FAIL', skip: 'SKIP' } as const satisfies Record<CheckStatus, string>;
const NAME_WIDTH = 11;

/** Shorthand for a result. */
export function result(check: string, status: CheckStatus, message: string, details: readonly string[] = []): CheckResult {
  return details.length > 0 ? { check, status, message, details } : { check, status, message };
}

/** The printed lines of one result. */
export function formatResult(r: CheckResult): string {
  const head = `${LABEL[r.status].padEnd(5)} ${r.check.padEnd(NAME_WIDTH)} ${r.message}`;
  const details = (r.details ?? []).map((d) => `${' '.repeat(6 + NAME_WIDTH + 1)}${d}`);
  return [head, ...details].join('\n');
}

/** Counts per status. */
export function tally(results: readonly CheckResult[]): Record<CheckStatus, number> {
  const counts: Record<CheckStatus, number> = { ok: 0, warn: 0, fail: 0, skip: 0 };
  for (const r of results) counts[r.status]++;
  return counts;
}

/** The last line of the report. */
export function formatSummary(results: readonly CheckResult[]): string {
  const c = tally(results);
  const verdict = c.fail > 0 ? 'problems found' : 'all checks passed';
  return `${verdict}: ${c.ok} ok, ${c.warn} warnings, ${c.fail} failed, ${c.skip} skipped`;
}
