/**
 * From the raw tree of a config file to the resolved, frozen {@link EnricherConfig}: references,
 * schema with defaults, then the few values that depend on where the file is.
 */
import { dirname, resolve as resolvePath } from 'node:path';
import { validate } from 'superstruct';
import { ConfigError, type ConfigProblem } from './config-error.js';
import { AUDIT_STDOUT, LISTEN_OFF } from './constants.js';
import { rememberSubstitutedValues } from './describe.js';
import { failuresToProblems } from './failures.js';
import { resolveReferences } from './references.js';
import { configStruct, type ValidatedConfig } from './schema.js';
import type { EnricherConfig, FlowRef, GenesysConfig, InlineFlowSchema, QueueRef } from './types.js';
import { parseListen } from './urls.js';
import { plainHttpCredentialWarnings } from './warnings.js';

/** Where the raw tree came from and where its references are read. */
export interface ParseContext {
  /** The config file: named in errors, and relative paths in it resolve against its folder. */
  readonly file: string;
  /** Environment for `${NAME}` references. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Folder for `${credential:NAME}` references; defaults to `env.CREDENTIALS_DIRECTORY`. */
  readonly credentialsDirectory?: string | undefined;
}

/**
 * Validates a parsed config file (the object YAML or JSON produced) and resolves it. Throws one
 * {@link ConfigError} listing every problem found.
 */
export function parseConfig(raw: unknown, ctx: ParseContext): EnricherConfig {
  if (raw === undefined || raw === null) throw new ConfigError(ctx.file, [{ path: '', message: 'is empty' }]);
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(ctx.file, [{ path: '', message: 'must hold a mapping of keys (genesys, queues, ...) at the top level' }]);
  }
  const tree = resolveReferences(raw, {
    env: ctx.env,
    credentialsDirectory: ctx.credentialsDirectory ?? ctx.env.CREDENTIALS_DIRECTORY,
  });
  const [error, validated] = validate(tree.value, configStruct, { coerce: true });
  const problems: ConfigProblem[] = [...tree.problems];
  if (error !== undefined) {
    // A key whose reference failed is already reported; its knock-on "is required" is noise.
    const reported = new Set(tree.problems.map((p) => p.path));
    problems.push(...failuresToProblems(error.failures(), configStruct).filter((p) => !reported.has(p.path)));
  }
  if (problems.length > 0 || validated === undefined) throw new ConfigError(ctx.file, problems);

  const warnings: string[] = [];
  if (!tree.referencedPaths.has('genesys.clientSecret')) {
    warnings.push(
      `genesys.clientSecret is written inline in ${ctx.file}; prefer \${ENV_NAME} or \${credential:NAME} so the file holds no secret`,
    );
  }
  warnings.push(...plainHttpCredentialWarnings(validated));
  const config = deepFreeze(toEnricherConfig(validated, ctx.file, warnings));
  rememberSubstitutedValues(config, tree.substitutedValues);
  return config;
}

function unreachable(what: string): never {
  throw new Error(`config: ${what} passed validation but cannot be resolved`);
}

function toGenesys(g: ValidatedConfig['genesys']): GenesysConfig {
  const { region, gatewayUrl, ...limits } = g;
  if (region !== undefined) return { ...limits, region };
  return { ...limits, gatewayUrl: gatewayUrl ?? unreachable('genesys') };
}

function toQueue(q: ValidatedConfig['queues'][number]): QueueRef {
  return q.id !== undefined ? { id: q.id } : { name: q.name ?? unreachable('queue') };
}

function toFlow(f: ValidatedConfig['flow']): FlowRef {
  if (f.id !== undefined) return { id: f.id };
  if (f.name !== undefined) return { name: f.name };
  // The struct checked type/properties/required and kept any other JSON Schema keyword.
  return { schema: (f.schema ?? unreachable('flow')) as InlineFlowSchema };
}

function toEnricherConfig(v: ValidatedConfig, file: string, warnings: string[]): EnricherConfig {
  const { webhookUrl, timeoutMs } = v.analytics;
  const listen = v.http.listen === LISTEN_OFF ? LISTEN_OFF : (parseListen(v.http.listen) ?? unreachable('http.listen'));
  return {
    genesys: toGenesys(v.genesys),
    queues: v.queues.map(toQueue),
    media: v.media,
    trigger: v.trigger,
    target: v.target,
    flow: toFlow(v.flow),
    crm: v.crm,
    attributes: v.attributes,
    identity: v.identity,
    analytics: webhookUrl === undefined ? { timeoutMs } : { webhookUrl, timeoutMs },
    audit: { file: v.audit.file === AUDIT_STDOUT ? AUDIT_STDOUT : resolvePath(dirname(file), v.audit.file), onWriteFailure: v.audit.onWriteFailure },
    http: { listen },
    signing: v.signing.key === undefined ? {} : { key: v.signing.key },
    stream: v.stream,
    backfill: v.backfill,
    pipeline: v.pipeline,
    log: v.log,
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
