/**
 * Finds the series selectors in a PromQL expression, so tests can check that alert rules and
 * dashboard queries name only series the daemon exposes, with labels (and label values) it uses.
 * A small scanner, not a full parser: it knows PromQL's functions, aggregations and keywords and
 * rejects anything else that is not a metric name, so a typo in a function name fails too.
 */

/** One `name{label op "value", ...}` selector. */
export interface Selector {
  readonly metric: string;
  readonly matchers: readonly { readonly label: string; readonly op: '=' | '!=' | '=~' | '!~'; readonly value: string }[];
}

const AGGREGATIONS = new Set(['sum', 'min', 'max', 'avg', 'count', 'stddev', 'stdvar', 'topk', 'bottomk', 'quantile', 'count_values', 'group']);
const FUNCTIONS = new Set([
  'abs', 'absent', 'absent_over_time', 'avg_over_time', 'ceil', 'changes', 'clamp', 'clamp_max', 'clamp_min', 'count_over_time',
  'day_of_month', 'day_of_week', 'delta', 'deriv', 'exp', 'floor', 'histogram_quantile', 'idelta', 'increase', 'irate',
  'label_join', 'label_replace', 'last_over_time', 'ln', 'log2', 'log10', 'max_over_time', 'min_over_time', 'predict_linear',
  'quantile_over_time', 'rate', 'resets', 'round', 'scalar', 'sort', 'sort_desc', 'sqrt', 'stddev_over_time', 'sum_over_time',
  'time', 'timestamp', 'vector',
]);
// Followed by a parenthesised list of label names, not an expression.
const LABEL_LIST_KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
const BINARY_KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset']);

const IDENT = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const NUMBER = /^[0-9][0-9.eE]*[smhdwy]?/;
const MATCHER = /^([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*(,|(?=\}))/;

/** The selectors of `expr`; throws on a function, keyword or construct it does not know. */
export function selectorsOf(rawExpr: string): Selector[] {
  // Grafana's interval variables stand where a duration goes.
  const expr = rawExpr.replace(/\$__(rate_interval|interval|range)/g, '5m');
  const found: Selector[] = [];
  let depth = 0;
  let i = 0;
  const skipSpace = (): void => {
    while (i < expr.length && /\s/.test(expr[i]!)) i++;
  };
  const closing = (open: string, close: string): number => {
    const end = expr.indexOf(close, i);
    if (end < 0) throw new Error(`unclosed ${open} in: ${rawExpr}`);
    return end;
  };
  while (i < expr.length) {
    const rest = expr.slice(i);
    const c = expr[i]!;
    if (/\s/.test(c) || /[-+*/%^<>=!,]/.test(c)) {
      i++;
    } else if (c === '(') {
      depth++;
      i++;
    } else if (c === ')') {
      if (--depth < 0) throw new Error(`unbalanced ) in: ${rawExpr}`);
      i++;
    } else if (c === '[') {
      i = closing('[', ']') + 1;
    } else if (c === '"') {
      const m = /^"(?:[^"\\]|\\.)*"/.exec(rest);
      if (!m) throw new Error(`unclosed string in: ${rawExpr}`);
      i += m[0].length;
    } else if (NUMBER.test(rest)) {
      i += NUMBER.exec(rest)![0].length;
    } else if (IDENT.test(rest)) {
      const word = IDENT.exec(rest)![0];
      i += word.length;
      skipSpace();
      if (LABEL_LIST_KEYWORDS.has(word)) {
        if (expr[i] !== '(') throw new Error(`${word} without a label list in: ${rawExpr}`);
        i = closing('(', ')') + 1;
      } else if (BINARY_KEYWORDS.has(word)) {
        // an operator: nothing to collect
      } else if (AGGREGATIONS.has(word) || expr[i] === '(') {
        if (!AGGREGATIONS.has(word) && !FUNCTIONS.has(word)) throw new Error(`unknown function ${word} in: ${rawExpr}`);
      } else {
        found.push({ metric: word, matchers: expr[i] === '{' ? matchersAt() : [] });
      }
    } else if (c === '{') {
      throw new Error(`a selector without a metric name in: ${rawExpr}`);
    } else {
      throw new Error(`unexpected ${c} in: ${rawExpr}`);
    }
  }
  if (depth !== 0) throw new Error(`unbalanced ( in: ${rawExpr}`);
  return found;

  function matchersAt(): Selector['matchers'] {
    // Matcher by matcher: a quoted value may itself hold braces (endpoint names do).
    i++;
    const matchers: { label: string; op: '=' | '!=' | '=~' | '!~'; value: string }[] = [];
    for (;;) {
      skipSpace();
      if (expr[i] === '}') break;
      const m = MATCHER.exec(expr.slice(i));
      if (!m) throw new Error(`bad label matcher at "${expr.slice(i, i + 20)}" in: ${rawExpr}`);
      matchers.push({ label: m[1]!, op: m[2] as '=' | '!=' | '=~' | '!~', value: m[3]!.replace(/\\(.)/g, '$1') });
      i += m[0].length;
    }
    i++;
    return matchers;
  }
}
