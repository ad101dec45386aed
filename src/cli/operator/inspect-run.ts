/**
 * The body of `inspect`: fetch one conversation, run the daemon's own detection, CRM lookup,
 * mapping and schema validation on it, and print field by field what would be written and why.
 * Writes (one PATCH with the marker, as the daemon does) only when asked to.
 */
import { auditCrmWord } from '../../enrich/crm-word.js';
import { markerValue } from '../../enrich/marker.js';
import { createAuditLog, hashAttributes } from '../../sinks/audit.js';
import { randomUUID } from 'node:crypto';
import type { EnricherConfig } from '../../config/index.js';
import { enricherOptions, markerKey } from '../../daemon.js';
import { loadPublishedSchema, resolveFlowId, resolveQueues, type ResolvedQueue } from '../../daemon/resolve.js';
import { customerOf, detect, type Detection } from '../../enrich/detect.js';
import { resolveIdentity } from '../../enrich/identity.js';
import { toConversationView, type ConversationView, type ParticipantView } from '../../enrich/snapshot.js';
import { PRIORITY } from '../../genesys/caller.js';
import { GenesysApiError } from '../../genesys/errors.js';
import { EnricherError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { SchemaStore } from '../../schema/store.js';
import { EXIT } from '../exit.js';
import type { OperatorCrm } from './check-state.js';
import { explainDetection } from './explain.js';
import { failureText } from './failure-text.js';
import type { OperatorApi } from './genesys.js';
import { fieldLines, planFields } from './inspect-fields.js';
import { identityLines } from './inspect-identity.js';

/** The conversation cannot be inspected (code `inspect.not-found` or `inspect.bad-conversation`). */
export class InspectError extends EnricherError {
  constructor(reason: 'not-found' | 'bad-conversation', message: string, cause?: unknown) {
    super(`inspect.${reason}`, message, cause === undefined ? undefined : { cause });
  }
}

/** How `inspect` reaches Genesys and the CRM. */
export interface InspectDeps {
  readonly genesys: (config: EnricherConfig) => OperatorApi;
  readonly crm: (config: EnricherConfig) => OperatorCrm;
  readonly logger: Logger;
}

/** What to inspect. */
export interface InspectRequest {
  readonly conversationId: string;
  /** PATCH the attributes (with the marker) when the decision is `enrich`. */
  readonly write: boolean;
}

/** One line per participant: ids, role, state and queue, never a name or an address. */
export function participantLine(p: ParticipantView, label: (queueId: string) => string, marker: string, targetId: string | undefined): string {
  const bits = [p.purpose.padEnd(8), p.id, `state ${p.state ?? '?'}`, `media ${p.media ?? '?'}`];
  if (p.queueId !== undefined) bits.push(`queue ${label(p.queueId)}`);
  const attrs = Object.keys(p.attributes).length;
  if (attrs > 0) bits.push(`${attrs} attribute${attrs === 1 ? '' : 's'}${Object.hasOwn(p.attributes, marker) ? ' incl. the marker' : ''}`);
  if (p.id === targetId) bits.push('<- target');
  return bits.join('  ');
}

/** Runs the inspection, printing as it goes; resolves with the exit code. Throws only what the CLI maps. */
export async function inspectConversation(config: EnricherConfig, req: InspectRequest, deps: InspectDeps, print: (line: string) => void): Promise<number> {
  const api = deps.genesys(config);
  try {
    await api.login();
    const queues = await resolveQueues(config.queues, api);
    const label = queueLabeller(queues);
    let body: unknown;
    try {
      body = await api.getConversation(req.conversationId, PRIORITY.control);
    } catch (err) {
      if (err instanceof GenesysApiError && err.status === 404) {
        throw new InspectError('not-found', `conversation ${req.conversationId} was not found (404): no such conversation, it ended and is gone, or this client may not see it`, err);
      }
      throw err;
    }
    const view = toConversationView(body);
    if (view === undefined) throw new InspectError('bad-conversation', `conversation ${req.conversationId}: the answer has no id or participants`);
    const options = enricherOptions(config, queues).detect;
    const marker = markerKey(config.attributes.prefix);
    const decision = detect(view, options);
    const target = decision.kind === 'enrich' ? decision.target : undefined;
    print(`conversation ${view.id}`);
    print('participants:');
    for (const p of view.participants) print(`  ${participantLine(p, label, marker, target?.id)}`);
    const { verdict, why } = explainDetection(decision, options, label);
    print(`decision: ${verdict}`);
    print(`  why: ${why}`);
    print(target !== undefined ? `target: ${target.purpose} participant ${target.id}` : 'target: none (no write now)');
    return await preview(config, req, { api, deps, view, decision, print });
  } finally {
    await api.close().catch(() => undefined);
  }
}

interface PreviewCtx {
  readonly api: OperatorApi;
  readonly deps: InspectDeps;
  readonly view: ConversationView;
  readonly decision: Detection;
  readonly print: (line: string) => void;
}

/** The CRM lookup, the field plan, and the write (or the dry run's note). */
async function preview(config: EnricherConfig, req: InspectRequest, ctx: PreviewCtx): Promise<number> {
  const { api, decision, print } = ctx;
  const customer = decision.kind === 'enrich' ? decision.customer : customerOf(ctx.view);
  if (customer === undefined) {
    print('crm: no customer participant, so no lookup');
    return finishWithoutWrite(req, print, 'there is no customer');
  }
  // The same customer and media as detection, and the same identity resolution as the pipeline.
  const media = decision.kind === 'enrich' ? decision.media : customer.media;
  const identity = media === undefined ? { keys: {}, keySources: {}, tried: [] } : resolveIdentity(customer, media, config.identity[media]);
  print(`customer: participant ${customer.id}; lookup keys:`);
  for (const line of identityLines(identity, media)) print(`  ${line}`);

  const flowId = await resolveFlowId(config.flow, api);
  const store = new SchemaStore(
    { maxValueLength: config.attributes.maxValueLength, ...(config.flow.schema !== undefined && { inline: config.flow.schema }) },
    { logger: ctx.deps.logger, ...(flowId !== undefined && { source: { loadPublished: () => loadPublishedSchema(flowId, api) } }) },
  );
  const schema = await store.load();
  print(`schema: ${schema.versionId === 'inline' ? 'inline' : `flow ${flowId ?? '?'} published version ${schema.versionId}`}, ${schema.fields.size} fields`);

  const queueId = decision.kind === 'enrich' ? decision.queueId : (decision.kind === 'skip' ? decision.queueId : undefined) ?? '';
  const crm = ctx.deps.crm(config);
  let answer;
  try {
    answer = await crm.lookup({ ...identity.keys, conversationId: ctx.view.id, queueId, attributes: customer.attributes });
  } finally {
    await crm.close();
  }
  const placeholder = answer.placeholder === undefined ? '' : ` at ${answer.placeholder}`;
  const status = answer.found ? 'found a record' : answer.error === undefined ? 'not found' : `failed (${answer.error}${placeholder})`;
  print(`crm: ${status}, outcome ${answer.outcome}, ${answer.latencyMs} ms (fresh lookup, no cache)`);
  if (!answer.found) return finishWithoutWrite(req, print, answer.error === undefined ? 'the CRM does not know the customer' : 'the CRM lookup failed');

  const { signing } = enricherOptions(config, []);
  const plan = planFields(answer.record, config.attributes.map, schema, config.attributes.prefix, signing.audit);
  print('fields:');
  for (const line of fieldLines(plan.rows)) print(`  ${line}`);
  const keysOut = Object.keys(plan.attributes);
  const marker = markerKey(config.attributes.prefix);
  if (keysOut.length === 0) {
    print('attributes: none valid (the daemon would skip it: no-valid-fields)');
    return finishWithoutWrite(req, print, 'no field is valid');
  }
  print(`attributes: ${[...keysOut, `${marker} (marker)`].join(', ')}`);
  if (decision.kind !== 'enrich') return finishWithoutWrite(req, print, `the decision is ${decision.kind} (${decision.reason})`);
  if (!req.write) {
    print('nothing was written (dry run; --write writes these attributes)');
    return EXIT.ok;
  }
  const traceId = randomUUID();
  try {
    const written = { ...plan.attributes, [marker]: markerValue(signing.marker, ctx.view.id, traceId) };
    const { correlationId } = await api.patchParticipantAttributes(ctx.view.id, decision.target.id, written);
    print(`written: ${keysOut.length} attributes and the marker to participant ${decision.target.id}; trace id ${traceId}; correlation id ${correlationId ?? 'none'}`);
    // The trail records every write, whoever made it: one `enriched` line, marked as the operator's.
    if (config.audit.file !== '-') {
      const audit = createAuditLog(config.audit.file);
      audit.write({
        ts: new Date().toISOString(),
        event: 'enriched',
        reason: 'inspect',
        conversationId: ctx.view.id,
        participantId: decision.target.id,
        queueId: decision.queueId,
        media: decision.media,
        traceId,
        attributes: hashAttributes(written, signing.audit),
        crm: auditCrmWord(answer.outcome, answer.found),
        latencyMs: { total: 0 },
        schemaVersion: schema.versionId,
        source: 'inspect',
        ...(correlationId !== undefined && { correlationId }),
      });
      await audit.close();
      print(`audit: one enriched line appended to ${config.audit.file}`);
    }
    return EXIT.ok;
  } catch (err) {
    print(`write failed: ${failureText(err)}`);
    return EXIT.runtime;
  }
}

/** Without --write this is a normal end; with it, the operator asked for a write that cannot happen. */
function finishWithoutWrite(req: InspectRequest, print: (line: string) => void, why: string): number {
  if (!req.write) {
    print(`nothing was written (dry run; --write would not write either: ${why})`);
    return EXIT.ok;
  }
  print(`not written: ${why}`);
  return EXIT.runtime;
}

function queueLabeller(queues: readonly ResolvedQueue[]): (queueId: string) => string {
  const names = new Map(queues.flatMap((q) => (q.name !== undefined ? [[q.id, q.name] as const] : [])));
  return (id) => {
    const name = names.get(id);
    return name !== undefined ? `"${name}" (${id})` : id;
  };
}
