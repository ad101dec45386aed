import { describe, expect, it } from 'vitest';
import { formatResult, formatSummary, result, tally, type CheckResult } from '../../../src/cli/operator/report.js';

describe('check report', () => {
  it.each([
    [result('queue', 'ok', '"A" -> 1'), 'OK    queue       "A" -> 1'],
    [result('crm', 'fail', 'unreachable'), 'FAIL  crm         unreachable'],
    [result('config', 'warn', 'valid', ['inline secret']), 'WARN  config      valid\n                  inline secret'],
    [result('topics', 'skip', 'no login'), 'SKIP  topics      no login'],
  ])('formats %o', (r, text) => {
    expect(formatResult(r)).toBe(text);
  });

  it('drops empty details', () => {
    expect(result('x', 'ok', 'm', [])).toEqual({ check: 'x', status: 'ok', message: 'm' });
  });

  it.each<[CheckResult[], string]>([
    [[result('a', 'ok', ''), result('b', 'warn', '')], 'all checks passed: 1 ok, 1 warnings, 0 failed, 0 skipped'],
    [[result('a', 'ok', ''), result('b', 'fail', ''), result('c', 'skip', '')], 'problems found: 1 ok, 0 warnings, 1 failed, 1 skipped'],
    [[], 'all checks passed: 0 ok, 0 warnings, 0 failed, 0 skipped'],
  ])('summarises %#', (results, line) => {
    expect(formatSummary(results)).toBe(line);
    expect(Object.values(tally(results)).reduce((a, b) => a + b, 0)).toBe(results.length);
  });
});
