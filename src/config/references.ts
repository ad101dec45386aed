/**
 * Resolves `${NAME}` (environment) and `${credential:NAME}` (systemd `LoadCredential=` file in
 * `$CREDENTIALS_DIRECTORY`) references in every string of the raw config tree; `$${` stands for
 * a literal `${`. Also treats a key written with no value (YAML `key:`, JSON `null`) as absent,
 * so that a section whose lines are all commented out falls back to its defaults.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatPath, type ConfigProblem } from './config-error.js';

/** A reference found in a string. */
export type Reference = { readonly kind: 'env'; readonly name: string } | { readonly kind: 'credential'; readonly name: string };

/** Where references are read from. */
export interface ReferenceSources {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** `$CREDENTIALS_DIRECTORY`; credential references are an error without it. */
  readonly credentialsDirectory?: string | undefined;
}

/** The raw tree with references resolved, plus what the caller needs to stay log-safe. */
export interface ResolvedTree {
  readonly value: unknown;
  readonly problems: ConfigProblem[];
  /** Key paths (formatted) whose string contained at least one reference. */
  readonly referencedPaths: ReadonlySet<string>;
  /** Every value a reference resolved to: these must never reach a log line. */
  readonly substitutedValues: readonly string[];
}

class ReferenceProblem extends Error {}

/**
 * Deepest nesting a config file may have. The real keys go 5 levels deep and an inline flow
 * schema a few more; the walk below recurses per level, so a limit also keeps a hostile file
 * from exhausting the call stack (a crash instead of a config error).
 */
export const MAX_CONFIG_DEPTH = 64;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
// systemd credential names: no path separators, not "." or "..".
const CREDENTIAL_NAME = /^(?!\.{1,2}$)[A-Za-z0-9_.@-]+$/;

/** Parses the text between `${` and `}`, or `undefined` when it is not a valid reference. */
export function parseReference(body: string): Reference | undefined {
  if (body.startsWith('credential:')) {
    const name = body.slice('credential:'.length);
    return CREDENTIAL_NAME.test(name) ? { kind: 'credential', name } : undefined;
  }
  return ENV_NAME.test(body) ? { kind: 'env', name: body } : undefined;
}

/**
 * Expands the references of one string through `resolve`; throws a problem message (never
 * containing the text) when the syntax is wrong. Returns the text and how many references it had.
 */
export function expandString(text: string, resolve: (ref: Reference) => string): { text: string; references: number } {
  // Most strings hold no reference: skip the character walk.
  if (!text.includes('${')) return { text, references: 0 };
  let out = '';
  let references = 0;
  let i = 0;
  while (i < text.length) {
    if (text.startsWith('$${', i)) {
      out += '${';
      i += 3;
    } else if (text.startsWith('${', i)) {
      const end = text.indexOf('}', i + 2);
      if (end === -1) throw new ReferenceProblem('has an unterminated "${" (write "$${" for a literal "${")');
      const ref = parseReference(text.slice(i + 2, end));
      if (ref === undefined) {
        throw new ReferenceProblem('has an invalid reference (use ${NAME}, ${credential:NAME}, or "$${" for a literal "${")');
      }
      out += resolve(ref);
      references++;
      i = end + 1;
    } else {
      out += text.charAt(i);
      i++;
    }
  }
  return { text: out, references };
}

function readReference(ref: Reference, sources: ReferenceSources): string {
  if (ref.kind === 'env') {
    const value = sources.env[ref.name];
    if (value === undefined) throw new ReferenceProblem(`references environment variable ${ref.name}, which is not set`);
    return value;
  }
  const dir = sources.credentialsDirectory;
  if (dir === undefined || dir === '') {
    throw new ReferenceProblem(
      `references credential ${ref.name}, but CREDENTIALS_DIRECTORY is not set (systemd LoadCredential=)`,
    );
  }
  let content: string;
  try {
    content = readFileSync(join(dir, ref.name), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'read error';
    throw new ReferenceProblem(`references credential ${ref.name}, which cannot be read (${code})`);
  }
  return content.replace(/\r?\n$/, '');
}

/** Walks the raw tree, resolving every reference; problems are collected, not thrown. */
export function resolveReferences(raw: unknown, sources: ReferenceSources): ResolvedTree {
  const problems: ConfigProblem[] = [];
  const referencedPaths = new Set<string>();
  const substitutedValues: string[] = [];
  const ancestors = new Set<object>();
  const resolve = (ref: Reference): string => {
    const value = readReference(ref, sources);
    if (value !== '') substitutedValues.push(value);
    return value;
  };

  const walk = (node: unknown, path: (string | number)[]): unknown => {
    if (typeof node === 'string') {
      if (!node.includes('${')) return node;
      try {
        const { text, references } = expandString(node, resolve);
        if (references > 0) referencedPaths.add(formatPath(path));
        return text;
      } catch (err) {
        if (!(err instanceof ReferenceProblem)) throw err;
        problems.push({ path: formatPath(path), message: err.message });
        return undefined;
      }
    }
    if (typeof node !== 'object' || node === null) return node;
    if (path.length >= MAX_CONFIG_DEPTH) {
      problems.push({ path: formatPath(path.slice(0, 8)), message: `is nested deeper than ${MAX_CONFIG_DEPTH} levels` });
      return undefined;
    }
    // YAML aliases can make a tree refer to itself.
    if (ancestors.has(node)) {
      problems.push({ path: formatPath(path), message: 'refers to itself (recursive YAML alias)' });
      return undefined;
    }
    ancestors.add(node);
    let out: unknown;
    if (Array.isArray(node)) {
      out = node.map((item: unknown, index) => {
        path.push(index);
        const value = walk(item, path);
        path.pop();
        return value;
      });
    } else {
      const entries: [string, unknown][] = [];
      for (const [key, value] of Object.entries(node)) {
        if (value === null) continue;
        path.push(key);
        entries.push([key, walk(value, path)]);
        path.pop();
      }
      // fromEntries defines own properties: a "__proto__" key stays a plain (unknown) key.
      out = Object.fromEntries(entries);
    }
    ancestors.delete(node);
    return out;
  };

  return { value: walk(raw, []), problems, referencedPaths, substitutedValues };
}
