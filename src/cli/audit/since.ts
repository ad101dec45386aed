/** `--since`: an ISO date or time, or an age such as `90s`, `15m`, `2h`, `1d`, `1w`. */

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

// A date, optionally with a time (minutes at least) and a zone; Date.parse reads the rest.
const ISO = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;
const AGE = /^(\d+(?:\.\d+)?)\s*([smhdw])$/;

/**
 * The epoch ms that `value` names at `now`, or undefined when it is neither form. A date alone
 * means midnight UTC; a time without a zone is local time (as JavaScript reads ISO strings).
 */
export function parseSince(value: string, now: number): number | undefined {
  const text = value.trim();
  const age = AGE.exec(text);
  if (age) return now - Number(age[1]) * UNIT_MS[age[2] as keyof typeof UNIT_MS];
  if (!ISO.test(text)) return undefined;
  const time = Date.parse(text.replace(' ', 'T'));
  return Number.isNaN(time) ? undefined : time;
}
