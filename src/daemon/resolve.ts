/**
 * Start-up resolution of what the config names: queue names to ids, and the flow (by id or
 * exact name) to its id. Shared by `run` and `check`.
 */
import type { QueueRef, FlowRef } from '../config/index.js';
import { EnricherError } from '../errors.js';
import type { GenesysClient } from '../genesys/client.js';

/** A config reference that does not resolve to exactly one thing in the org. */
export class ResolveError extends EnricherError {
  constructor(message: string, readonly path: string) {
    super('config.unresolved', message);
  }
}

/** A queue with its id, and the name it was configured by (if any). */
export interface ResolvedQueue {
  readonly id: string;
  readonly name?: string;
}

/** Resolves every queue reference; each name must match exactly one queue. */
export async function resolveQueues(refs: readonly QueueRef[], api: Pick<GenesysClient, 'findQueuesByName'>): Promise<ResolvedQueue[]> {
  const out: ResolvedQueue[] = [];
  for (const [i, ref] of refs.entries()) {
    if (ref.id !== undefined) {
      out.push({ id: ref.id });
      continue;
    }
    const found = await api.findQueuesByName(ref.name);
    if (found.length === 0) throw new ResolveError(`no queue is named "${ref.name}"`, `queues[${i}].name`);
    if (found.length > 1) throw new ResolveError(`${found.length} queues are named "${ref.name}"; use its id`, `queues[${i}].name`);
    out.push({ id: found[0]?.id ?? '', name: ref.name });
  }
  return dedupe(out);
}

/** The flow's id (undefined for an inline schema). */
export async function resolveFlowId(ref: FlowRef, api: Pick<GenesysClient, 'findFlowsByName'>): Promise<string | undefined> {
  if (ref.id !== undefined) return ref.id;
  if (ref.name === undefined) return undefined;
  const found = await api.findFlowsByName(ref.name);
  if (found.length === 0) throw new ResolveError(`no flow is named "${ref.name}"`, 'flow.name');
  if (found.length > 1) throw new ResolveError(`${found.length} flows are named "${ref.name}"; use its id`, 'flow.name');
  return found[0]?.id;
}

/** Loads a flow's published input schema (the flow's own `inputSchema` when the version has none). */
export async function loadPublishedSchema(
  flowId: string,
  api: Pick<GenesysClient, 'getFlow' | 'getFlowVersion'>,
): Promise<{ versionId: string; inputSchema: unknown }> {
  const flow = await api.getFlow(flowId);
  const versionId = flow.publishedVersion?.id;
  if (!versionId) throw new EnricherError('flow.unpublished', `flow ${flowId} has no published version`);
  const version = await api.getFlowVersion(flowId, versionId);
  const inputSchema = version.inputSchema ?? flow.inputSchema;
  if (!inputSchema) throw new EnricherError('flow.no-schema', `flow ${flowId} version ${versionId} has no input schema; configure flow.schema inline`);
  return { versionId, inputSchema };
}

function dedupe(queues: ResolvedQueue[]): ResolvedQueue[] {
  const seen = new Set<string>();
  return queues.filter((q) => !seen.has(q.id) && seen.add(q.id));
}
