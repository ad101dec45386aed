import { EnricherError } from '../errors.js';

/** One thing wrong with a config file. `path` is empty for problems with the file as a whole. */
export interface ConfigProblem {
  /** Key path such as `crm.timeoutMs`, `queues[1].name` or `attributes.map["Flow.id"]`. */
  readonly path: string;
  /** What is wrong, never quoting a value that could be a secret. */
  readonly message: string;
}

/**
 * The config file is wrong (code `config.invalid`). Carries every problem found; `path` is the
 * first one's. The message names the file and each key path and never contains a config value
 * that could be a secret.
 */
export class ConfigError extends EnricherError {
  /** The config file, as given to the loader. */
  readonly file: string;
  /** Key path of the first problem ('' when the file as a whole is wrong). */
  readonly path: string;
  /** Every problem, in file order where known. */
  readonly problems: readonly ConfigProblem[];

  constructor(file: string, problems: readonly ConfigProblem[], options?: { cause?: unknown }) {
    const list = problems.length > 0 ? problems : [{ path: '', message: 'is invalid' }];
    super('config.invalid', formatMessage(file, list), options);
    this.file = file;
    this.path = list[0]?.path ?? '';
    this.problems = list;
  }
}

function formatMessage(file: string, problems: readonly ConfigProblem[]): string {
  const line = (p: ConfigProblem): string => (p.path === '' ? p.message : `${p.path}: ${p.message}`);
  if (problems.length === 1 && problems[0] !== undefined) return `config file ${file}: ${line(problems[0])}`;
  return `config file ${file} has ${problems.length} problems:\n${problems.map((p) => `  - ${line(p)}`).join('\n')}`;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Formats a key path for people: `queues[1].name`, `attributes.map["Flow.accountId"]`. */
export function formatPath(segments: readonly (string | number)[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}
