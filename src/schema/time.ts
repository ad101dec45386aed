/**
 * Canonical forms of the `date` (`YYYY-MM-DD`) and `date-time` (ISO 8601 UTC, `...Z`) formats.
 * `Date.parse` is too lenient (it takes `2024-02-30` as 1 March and guesses at free text), so strings
 * are matched and range-checked here first.
 */
import type { Coerced } from './field.js';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?$/;
/** What `toISOString()` gives for years 0000-9999; other years come out as `+YYYYYY`. */
const ISO_LENGTH = 24;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function validDay(y: string, m: string, d: string): boolean {
  const month = Number(m);
  const day = Number(d);
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(Number(y), month);
}

function validDate(date: Date): boolean {
  return !Number.isNaN(date.getTime()) && date.toISOString().length === ISO_LENGTH;
}

/**
 * Parses a strict ISO 8601 / RFC 3339 date-time into epoch ms. `undefined` when the text is no such
 * date-time; `null` when it is one but has no zone (a local time cannot be placed on the UTC line).
 */
function parseDateTime(text: string): number | null | undefined {
  const m = DATE_TIME.exec(text);
  if (m === null) return undefined;
  const [, y = '', mo = '', d = '', hh = '', mi = '', ss = '00', frac = '', z, sign, oh = '00', om = '00'] = m;
  if (!validDay(y, mo, d) || Number(hh) > 23 || Number(mi) > 59 || Number(ss) > 59) return undefined;
  if (Number(oh) > 23 || Number(om) > 59) return undefined;
  if (z === undefined && sign === undefined) return null;
  const zone = z === undefined ? `${sign ?? '+'}${oh}:${om}` : 'Z';
  const ms = (frac + '000').slice(0, 3);
  // This exact layout is the ECMAScript Date Time String Format, which every engine must parse.
  return Date.parse(`${y}-${mo}-${d}T${hh}:${mi}:${ss}.${ms}${zone}`);
}

/**
 * `YYYY-MM-DD` from a valid `Date` (its UTC day), a `YYYY-MM-DD` string, or an ISO date-time string
 * (the day as written, before any shift to UTC: a birthday sent as local midnight must not move).
 */
export function canonicalDate(raw: unknown): Coerced {
  if (raw instanceof Date) {
    return validDate(raw) ? { ok: true, value: raw.toISOString().slice(0, 10) } : { ok: false, reason: 'not-a-date' };
  }
  if (typeof raw !== 'string') return { ok: false, reason: 'wrong-type' };
  const text = raw.trim();
  const m = DATE.exec(text);
  if (m !== null) {
    const [, y = '', mo = '', d = ''] = m;
    return validDay(y, mo, d) ? { ok: true, value: text } : { ok: false, reason: 'not-a-date' };
  }
  return parseDateTime(text) === undefined ? { ok: false, reason: 'not-a-date' } : { ok: true, value: text.slice(0, 10) };
}

/**
 * ISO 8601 in UTC with milliseconds (`2024-03-05T09:30:00.000Z`) from a valid `Date` or an ISO
 * date-time string with a zone (`Z` or an offset). Strings without a zone are refused.
 */
export function canonicalDateTime(raw: unknown): Coerced {
  let date: Date;
  if (raw instanceof Date) {
    date = raw;
  } else if (typeof raw === 'string') {
    const ms = parseDateTime(raw.trim());
    if (ms === null) return { ok: false, reason: 'missing-timezone' };
    if (ms === undefined) return { ok: false, reason: 'not-a-date-time' };
    date = new Date(ms);
  } else {
    return { ok: false, reason: 'wrong-type' };
  }
  return validDate(date) ? { ok: true, value: date.toISOString() } : { ok: false, reason: 'not-a-date-time' };
}
