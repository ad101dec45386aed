/**
 * The `check` steps about the config and the org: the config itself, the login, every queue, the
 * flow and its published schema, and the attribute map against that schema.
 */
import { describeConfig } from '../../config/index.js';
import { loadPublishedSchema, resolveFlowId, resolveQueues, ResolveError } from '../../daemon/resolve.js';
import { attributeKey } from '../../enrich/map.js';
import { SchemaStore } from '../../schema/store.js';
import type { Check, CheckState } from './check-state.js';
import { checkFailureText } from './check-permission.js';
import { failureText } from './failure-text.js';
import { result, type CheckResult } from './report.js';
import { schemaLines } from './schema-text.js';

/** The config loaded (the command never gets here otherwise); its warnings are listed. */
export const checkConfig: Check = (state) => {
  const warnings = state.config.warnings ?? [];
  const queues = state.config.queues.length;
  const summary = `valid: ${queues} queue${queues === 1 ? '' : 's'}, trigger ${state.config.trigger}, target ${state.config.target}`;
  if (warnings.length === 0) return Promise.resolve([result('config', 'ok', summary)]);
  return Promise.resolve([result('config', 'warn', `${summary}; ${warnings.length} warning${warnings.length === 1 ? '' : 's'}`, warnings)]);
};

/** Logs in with the configured OAuth client; later Genesys steps need this. */
export const checkLogin: Check = async (state) => {
  const g = describeConfig(state.config).genesys as { region?: string; gatewayUrl?: string };
  const where = g.region !== undefined ? `region ${g.region}` : `gateway ${g.gatewayUrl ?? '?'}`;
  const api = state.deps.genesys(state.config);
  try {
    await api.login();
    state.api = api;
    return [result('login', 'ok', `logged in (${where})`)];
  } catch (err) {
    await api.close().catch(() => undefined);
    return [result('login', 'fail', `cannot log in (${where}): ${failureText(err)}`)];
  }
};

/** One line per configured queue: its id, or why its name does not resolve. */
export const checkQueues: Check = async (state) => {
  const { api } = state;
  if (api === undefined) return [result('queues', 'skip', 'not checked: no login')];
  const out: CheckResult[] = [];
  let all = true;
  for (const [i, ref] of state.config.queues.entries()) {
    if (ref.id !== undefined) {
      state.queues.push({ id: ref.id });
      out.push(result('queue', 'ok', `${ref.id} (configured by id, not looked up)`));
      continue;
    }
    try {
      const [queue] = await resolveQueues([ref], api);
      if (queue === undefined) throw new ResolveError(`no queue is named "${ref.name}"`, `queues[${i}].name`);
      state.queues.push(queue);
      out.push(result('queue', 'ok', `"${ref.name}" -> ${queue.id}`));
    } catch (err) {
      all = false;
      // resolveQueues saw a one-element list: the path in the config is ours to give.
      const message = err instanceof ResolveError ? err.message : checkFailureText(err);
      out.push(result('queue', 'fail', `queues[${i}].name: ${message}`));
    }
  }
  state.allQueuesResolved = all;
  return out;
};

/** The flow reference, then its published input schema, loaded and compiled as the daemon does. */
export const checkFlow: Check = async (state) => {
  const { config } = state;
  const flow = config.flow;
  const maxValueLength = config.attributes.maxValueLength;
  if (flow.schema !== undefined) {
    state.flowResolved = true;
    return [result('flow', 'ok', 'inline schema (flow.schema): no flow to resolve'), await loadSchema(state, { maxValueLength, inline: flow.schema })];
  }
  const { api } = state;
  if (api === undefined) return [result('flow', 'skip', 'not checked: no login')];
  let flowId: string | undefined;
  try {
    flowId = await resolveFlowId(flow, api);
  } catch (err) {
    const message = err instanceof ResolveError ? `${err.path}: ${err.message}` : checkFailureText(err);
    return [result('flow', 'fail', message), result('schema', 'skip', 'not checked: the flow did not resolve')];
  }
  if (flowId === undefined) return [result('flow', 'fail', 'flow: neither id, name nor schema is set')];
  state.flowId = flowId;
  state.flowResolved = true;
  const head = flow.name !== undefined ? `"${flow.name}" -> ${flowId}` : `${flowId} (configured by id)`;
  const id = flowId;
  return [result('flow', 'ok', head), await loadSchema(state, { maxValueLength }, () => loadPublishedSchema(id, api))];
};

async function loadSchema(
  state: CheckState,
  opts: { maxValueLength: number; inline?: unknown },
  loadPublished?: () => Promise<{ versionId: string; inputSchema: unknown }>,
): Promise<CheckResult> {
  const store = new SchemaStore(opts, { logger: state.deps.logger, ...(loadPublished !== undefined && { source: { loadPublished } }) });
  try {
    const schema = await store.load();
    state.schema = schema;
    const count = schema.fields.size;
    const version = schema.versionId === 'inline' ? 'inline schema' : `published version ${schema.versionId}`;
    return result('schema', 'ok', `${version}: ${count} field${count === 1 ? '' : 's'} usable`, schemaLines(schema));
  } catch (err) {
    return result('schema', 'fail', failureText(err));
  }
}

/** Every mapped input must be a usable schema field; required fields nobody maps are worth a warning. */
export const checkAttributeMap: Check = (state) => {
  const { schema, config } = state;
  if (schema === undefined) return Promise.resolve([result('attributes', 'skip', 'not checked: no schema')]);
  const { map, prefix } = config.attributes;
  const details: string[] = [];
  const missing: string[] = [];
  for (const [input, pointer] of Object.entries(map)) {
    const problem = schema.fields.has(input) ? undefined : schema.unsupported.has(input) ? 'unsupported type in the schema' : 'not in the schema';
    if (problem !== undefined) missing.push(input);
    details.push(`${input} <- ${pointer === '' ? '(whole answer)' : pointer} => ${attributeKey(input, prefix)}${problem !== undefined ? `   ${problem}` : ''}`);
  }
  const unmappedRequired = [...schema.fields.values()].filter((f) => f.required && !Object.hasOwn(map, f.name)).map((f) => f.name);
  for (const name of unmappedRequired) details.push(`${name}: required by the schema but not mapped`);
  const inputs = Object.keys(map).length;
  if (missing.length > 0) {
    return Promise.resolve([result('attributes', 'fail', `${missing.length} of ${inputs} mapped inputs missing from the schema: ${missing.join(', ')}`, details)]);
  }
  if (unmappedRequired.length > 0) {
    return Promise.resolve([result('attributes', 'warn', `${inputs} mapped inputs in the schema; required inputs not mapped: ${unmappedRequired.join(', ')}`, details)]);
  }
  return Promise.resolve([result('attributes', 'ok', `${inputs} mapped input${inputs === 1 ? '' : 's'}, all in the schema`, details)]);
};
