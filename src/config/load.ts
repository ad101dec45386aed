/**
 * Reads a config file from disk (YAML for `.yaml`/`.yml`, JSON for `.json`) and hands the tree
 * to {@link parseConfig}. Syntax errors are reported by line and column only: parser messages
 * quote the offending text, which may be an inline secret.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { ConfigError, type ConfigProblem } from './config-error.js';
import { parseConfig } from './parse.js';
import type { EnricherConfig } from './types.js';

/** Config file syntaxes, chosen by file extension. */
export type ConfigFormat = 'yaml' | 'json';

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /** Environment for `${NAME}` references; default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined;
  /** Folder for `${credential:NAME}` references; default `env.CREDENTIALS_DIRECTORY`. */
  readonly credentialsDirectory?: string | undefined;
}

/** The syntax of a config file by its extension, or `undefined` when it is not one we read. */
export function configFormatOf(file: string): ConfigFormat | undefined {
  const ext = extname(file).toLowerCase();
  if (ext === '.yaml' || ext === '.yml') return 'yaml';
  if (ext === '.json') return 'json';
  return undefined;
}

function firstLine(message: string): string {
  return (message.split('\n', 1)[0] ?? '').replace(/:\s*$/, '');
}

function parseYaml(text: string): { value: unknown; problems: ConfigProblem[] } {
  const lineCounter = new LineCounter();
  // uniqueKeys off: the library compares each key with every earlier one (quadratic in a map's
  // size; 200,000 keys took over a minute); duplicateKeyOffset finds them in one pass instead.
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: false, lineCounter });
  // With prettyErrors the first line is "<what> at line L, column C"; the lines after it quote the file.
  const problems = [...doc.errors, ...doc.warnings].map((e) => ({ path: '', message: `YAML: ${firstLine(e.message)}` }));
  const duplicate = problems.length === 0 ? duplicateKeyOffset(doc.contents) : undefined;
  if (duplicate !== undefined) {
    const { line, col } = lineCounter.linePos(duplicate);
    problems.push({ path: '', message: `YAML: Map keys must be unique at line ${line}, column ${col}` });
  }
  if (problems.length > 0) return { value: undefined, problems };
  try {
    return { value: doc.toJS({ maxAliasCount: 1_000 }), problems };
  } catch (err) {
    const message = err instanceof Error ? firstLine(err.message) : 'cannot be converted';
    return { value: undefined, problems: [{ path: '', message: `YAML: ${message}` }] };
  }
}

/**
 * Offset of the first repeated scalar key in any mapping of the document, or `undefined`. Walks
 * with an explicit stack (no recursion: a deeply nested file cannot exhaust the call stack), one
 * set per mapping: linear in the size of the file.
 */
export function duplicateKeyOffset(root: unknown): number | undefined {
  const stack: unknown[] = [root];
  const visited = new Set<unknown>();
  let first: number | undefined;
  while (stack.length > 0) {
    const node = stack.pop();
    if (visited.has(node)) continue;
    visited.add(node);
    if (isSeq(node)) {
      for (const item of node.items) stack.push(item);
    } else if (isMap(node)) {
      const seen = new Set<unknown>();
      for (const pair of node.items) {
        const key = pair.key as YamlNode | null;
        if (isScalar(key)) {
          if (seen.has(key.value)) {
            const at = key.range?.[0] ?? 0;
            if (first === undefined || at < first) first = at;
          }
          seen.add(key.value);
        }
        stack.push(pair.value);
      }
    }
  }
  return first;
}

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`;
}

function parseJson(text: string): { value: unknown; problems: ConfigProblem[] } {
  try {
    return { value: JSON.parse(text) as unknown, problems: [] };
  } catch (err) {
    const raw = err instanceof Error ? err.message : '';
    const position = /^(.*?) in JSON at position (\d+)/.exec(raw);
    // V8 sometimes quotes the surrounding source between double quotes: never pass that on.
    const what = position?.[1] ?? raw;
    const safe = what.includes('"') || what === '' ? 'unexpected token' : what;
    const where = position?.[2] === undefined ? '' : ` at ${lineAndColumn(text, Number(position[2]))}`;
    return { value: undefined, problems: [{ path: '', message: `JSON: ${safe}${where}` }] };
  }
}

/** Parses config text in the given syntax; throws a {@link ConfigError} on a syntax error. */
export function parseConfigText(text: string, format: ConfigFormat, file: string): unknown {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const { value, problems } = format === 'yaml' ? parseYaml(body) : parseJson(body);
  if (problems.length > 0) throw new ConfigError(file, problems);
  return value;
}

/**
 * Reads, parses, validates and resolves a config file. Every failure (unreadable file, syntax,
 * invalid keys, missing references) is a {@link ConfigError} naming the file.
 */
export async function loadConfig(file: string, options: LoadConfigOptions = {}): Promise<EnricherConfig> {
  const format = configFormatOf(file);
  if (format === undefined) {
    throw new ConfigError(file, [{ path: '', message: 'must end in .yaml, .yml or .json (the extension picks the syntax)' }]);
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'read error';
    throw new ConfigError(file, [{ path: '', message: `cannot be read (${code})` }], { cause: err });
  }
  const env = options.env ?? process.env;
  return parseConfig(parseConfigText(text, format, file), {
    file,
    env,
    credentialsDirectory: options.credentialsDirectory ?? env.CREDENTIALS_DIRECTORY,
  });
}
