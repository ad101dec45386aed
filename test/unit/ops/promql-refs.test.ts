/** The PromQL selector scanner the alert-rule and dashboard tests rely on. */
import { describe, expect, it } from 'vitest';
import { selectorsOf } from '../../integration/ops/promql-refs.js';

describe('selectorsOf', () => {
  it.each([
    ['a_metric == 0', [{ metric: 'a_metric', matchers: [] }]],
    ['time() - a_ts > 120', [{ metric: 'a_ts', matchers: [] }]],
    [
      'sum by (instance) (increase(x_total{event="failed", reason!~"a|b"}[15m])) > 0',
      [{ metric: 'x_total', matchers: [{ label: 'event', op: '=', value: 'failed' }, { label: 'reason', op: '!~', value: 'a|b' }] }],
    ],
    ['histogram_quantile(0.99, sum by (le, stage) (rate(h_bucket[$__rate_interval])))', [{ metric: 'h_bucket', matchers: [] }]],
    ['a == 0 or increase(b_total[10m]) > 0', [{ metric: 'a', matchers: [] }, { metric: 'b_total', matchers: [] }]],
    ['sum(x{e="PATCH /a/{id}/b"}) / sum(x)', [{ metric: 'x', matchers: [{ label: 'e', op: '=', value: 'PATCH /a/{id}/b' }] }, { metric: 'x', matchers: [] }]],
  ])('%s', (expr, expected) => {
    expect(selectorsOf(expr)).toEqual(expected);
  });

  it.each([
    ['rat(x[5m])', /unknown function rat/],
    ['sum(x', /unbalanced \(/],
    ['{job="a"}', /without a metric name/],
    ['x{job=a}', /bad label matcher/],
    ['sum by x', /without a label list/],
  ])('rejects %s', (expr, message) => {
    expect(() => selectorsOf(expr)).toThrow(message);
  });
});
