import { describe, expect, it } from 'vitest';
import { parseSince } from '../../../src/cli/audit/since.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');

describe('parseSince', () => {
  it.each<[string, number]>([
    ['90s', NOW - 90_000],
    ['15m', NOW - 15 * 60_000],
    ['2h', NOW - 2 * 3_600_000],
    ['1d', NOW - 86_400_000],
    ['1w', NOW - 7 * 86_400_000],
    ['1.5h', NOW - 90 * 60_000],
    ['0m', NOW],
    [' 15m ', NOW - 15 * 60_000],
    ['2026-03-01T08:00:00Z', Date.parse('2026-03-01T08:00:00Z')],
    ['2026-03-01T08:00:00.250Z', Date.parse('2026-03-01T08:00:00.250Z')],
    ['2026-03-01T08:00:00+02:00', Date.parse('2026-03-01T06:00:00Z')],
    ['2026-03-01T08:00Z', Date.parse('2026-03-01T08:00:00Z')],
    ['2026-03-01 08:00:00Z', Date.parse('2026-03-01T08:00:00Z')],
    ['2026-03-01', Date.parse('2026-03-01T00:00:00Z')],
  ])('%s', (value, expected) => {
    expect(parseSince(value, NOW)).toBe(expected);
  });

  it('reads a time without a zone as local time', () => {
    expect(parseSince('2026-03-01T08:00:00', NOW)).toBe(new Date(2026, 2, 1, 8, 0, 0).getTime());
  });

  it.each(['', 'yesterday', '15', 'm', '15 minutes', '-15m', '15y', '2026-13-01', '2026-02-30T25:00:00Z', '1700000000', '2026/03/01', '15m ago'])(
    'rejects %j',
    (value) => {
      expect(parseSince(value, NOW)).toBeUndefined();
    },
  );
});
