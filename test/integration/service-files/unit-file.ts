/**
 * A small reader for systemd unit files (the INI dialect of systemd.syntax(7)), enough to check
 * the shipped unit: sections, repeated keys, comments, backslash continuations, and time spans.
 */

/** Every assignment of a unit file: section -> key -> values in order (a key may repeat). */
export type UnitFile = ReadonlyMap<string, ReadonlyMap<string, readonly string[]>>;

/** Parses unit file text; throws on a line that is neither a section, an assignment nor a comment. */
export function parseUnitFile(text: string): UnitFile {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let line = (lines[i] ?? '').trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    // A trailing backslash joins the next line (with a space), as systemd does.
    while (line.endsWith('\\') && i + 1 < lines.length) {
      i++;
      line = `${line.slice(0, -1)} ${(lines[i] ?? '').trim()}`;
    }
    const section = /^\[([^\]]+)\]$/.exec(line);
    if (section) {
      const name = section[1] ?? '';
      current = sections.get(name) ?? new Map<string, string[]>();
      sections.set(name, current);
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0 || current === undefined) throw new Error(`line ${i + 1} is not a key=value assignment inside a section`);
    const key = line.slice(0, eq).trim();
    const values = current.get(key) ?? [];
    values.push(line.slice(eq + 1).trim());
    current.set(key, values);
  }
  return sections;
}

/** All values of `section`/`key` (empty when the key is absent). */
export function values(unit: UnitFile, section: string, key: string): readonly string[] {
  return unit.get(section)?.get(key) ?? [];
}

/** The last value of `section`/`key` (the one systemd applies for single-valued settings). */
export function lastValue(unit: UnitFile, section: string, key: string): string | undefined {
  return values(unit, section, key).at(-1);
}

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1, msec: 1, s: 1_000, sec: 1_000, second: 1_000, seconds: 1_000,
  m: 60_000, min: 60_000, minute: 60_000, minutes: 60_000, h: 3_600_000, hr: 3_600_000, hour: 3_600_000, hours: 3_600_000,
};

/** A systemd time span ("30", "30s", "1min 30s", "500ms") in milliseconds; a bare number is seconds. */
export function parseTimespanMs(span: string): number {
  const parts = span.trim().split(/\s+/).filter((p) => p !== '');
  if (parts.length === 0) throw new Error('empty time span');
  let total = 0;
  for (const part of parts) {
    const m = /^(\d+(?:\.\d+)?)([a-z]*)$/.exec(part);
    const factor = m?.[2] === '' ? 1_000 : UNIT_MS[m?.[2] ?? ''];
    if (!m || factor === undefined) throw new Error(`"${span}" is not a time span`);
    total += Number(m[1]) * factor;
  }
  return total;
}
