/**
 * A small parser for the Prometheus text exposition format (0.0.4), strict enough to fail on a
 * malformed line: `# HELP`/`# TYPE` comments, blank lines and `name{label="value",...} value` samples.
 */

/** One sample line. */
export interface PromSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** A parsed exposition. */
export interface PromText {
  readonly types: ReadonlyMap<string, string>;
  readonly samples: readonly PromSample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)(?: (-?\\d+))?$`);
const LABEL = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\["\\n])*)"(,|$)/;
const TYPE = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`);
const HELP = new RegExp(`^# HELP (${NAME}) .*$`);

/** Parses the text; throws naming the first bad line. */
export function parsePromText(text: string): PromText {
  const types = new Map<string, string>();
  const samples: PromSample[] = [];
  const lines = text.split('\n');
  if (lines.at(-1) !== '') throw new Error('the exposition must end with a newline');
  for (const [i, line] of lines.slice(0, -1).entries()) {
    if (line === '') continue; // the format allows blank lines
    if (line.startsWith('#')) {
      const type = TYPE.exec(line);
      if (type) types.set(type[1]!, type[2]!);
      else if (!HELP.test(line)) throw new Error(`line ${i + 1}: bad comment: ${line}`);
      continue;
    }
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`line ${i + 1}: not a sample: ${line}`);
    const value = parseValue(m[3]!);
    if (value === undefined) throw new Error(`line ${i + 1}: bad value: ${line}`);
    samples.push({ name: m[1]!, labels: parseLabels(m[2] ?? '', i + 1), value });
  }
  return { types, samples };
}

/** The value of the sample with this name and exactly these labels (subset match), or undefined. */
export function sampleValue(text: PromText, name: string, labels: Record<string, string> = {}): number | undefined {
  const hit = text.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return hit?.value;
}

/** The sum of every sample with this name. */
export function sampleSum(text: PromText, name: string): number {
  return text.samples.filter((s) => s.name === name).reduce((sum, s) => sum + s.value, 0);
}

// Prometheus reads values with Go's strconv.ParseFloat, which takes NaN and Inf in any case
// (prom-client writes `Nan` for an empty event-loop histogram).
function parseValue(raw: string): number | undefined {
  if (/^\+?inf$/i.test(raw)) return Number.POSITIVE_INFINITY;
  if (/^-inf$/i.test(raw)) return Number.NEGATIVE_INFINITY;
  if (/^nan$/i.test(raw)) return Number.NaN;
  const n = Number(raw);
  return raw !== '' && Number.isFinite(n) ? n : undefined;
}

function parseLabels(raw: string, lineNo: number): Record<string, string> {
  const labels: Record<string, string> = {};
  let rest = raw;
  while (rest !== '') {
    const m = LABEL.exec(rest);
    if (!m) throw new Error(`line ${lineNo}: bad labels: {${raw}}`);
    labels[m[1]!] = m[2]!.replace(/\\(["\\n])/g, (_all, c: string) => (c === 'n' ? '\n' : c));
    rest = rest.slice(m[0].length);
  }
  return labels;
}
