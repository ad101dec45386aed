/**
 * The routed part of every lifecycle, shared by all media (docs/architecture.md, "Conversation frames"): an acd
 * participant with `queueId` while waiting, an agent participant (`userId`, `queueId`) alerting
 * then connected (the acd leg leaves with `transfer`), the handling with its repeated snapshots,
 * blind transfers, requeues, abandons and the final hang-up.
 */
import type { SandboxMedia, SandboxParticipant } from '../org/conversation.js';
import { REROUTE_MS, type MediaDurations, type RangeMs } from './durations.js';
import { connect, disconnect, enterQueue, hangUpAll, join, participant } from './legs.js';
import { pickAgent, type Agent } from './people.js';
import type { StepList } from './plan.js';
import type { Rng } from './random.js';

/** Disconnect type of an agent leg that ACD takes back after the alert timed out (no `connectedTime`). */
export const NO_ANSWER_DISCONNECT = 'system';

/** What the routed phases share while one plan is being drawn. */
export interface RouteContext {
  readonly rng: Rng;
  readonly list: StepList;
  readonly media: SandboxMedia;
  readonly durations: MediaDurations;
  readonly customer: SandboxParticipant;
  readonly queueName: (queueId: string) => string;
  /** The agent who last had the interaction (a requeue or transfer picks someone else). */
  lastAgent?: Agent;
}

/** A duration drawn from a range. */
export function draw(rng: Rng, range: RangeMs): number {
  return rng.between(range[0], range[1]);
}

function acdParticipant(ctx: RouteContext, queueId: string): SandboxParticipant {
  const acd = participant(ctx.rng, { purpose: 'acd', state: 'connected', direction: 'inbound', name: ctx.queueName(queueId), queueId });
  // Every participant of a callback carries the callback request.
  if (ctx.customer.callback !== undefined) acd.callback = ctx.customer.callback;
  if (ctx.media === 'call' || ctx.media === 'callback') acd.attributes['ivr.DistributionGroup'] = queueId;
  return acd;
}

/** The interaction enters a queue: the entry participant (IVR or flow) leaves with `transfer`, an acd joins. */
export function enqueue(
  ctx: RouteContext,
  queueId: string,
  entry: SandboxParticipant | undefined,
  attributes: Record<string, string> = {},
): SandboxParticipant {
  const acd = acdParticipant(ctx, queueId);
  ctx.list.step('queued', (conv, at) => {
    if (entry !== undefined) disconnect(entry, 'transfer', at);
    Object.assign(ctx.customer.attributes, attributes);
    // The customer carries the queue it waits in, and voice the IVR's distribution group.
    ctx.customer.queueId = queueId;
    if (ctx.media === 'call' || ctx.media === 'callback') ctx.customer.attributes['ivr.DistributionGroup'] = queueId;
    join(conv, acd, at);
    enterQueue(conv, queueId);
  });
  return acd;
}

/** The customer gives up while waiting. */
export function abandon(ctx: RouteContext, patienceMs: RangeMs): void {
  ctx.list.wait(draw(ctx.rng, patienceMs)).step('abandon', (conv, at) => {
    hangUpAll(conv, ctx.customer, 'endpoint', at);
  });
}

function agentParticipant(ctx: RouteContext, queueId: string): SandboxParticipant {
  const agent = pickAgent(ctx.rng, ctx.lastAgent);
  ctx.lastAgent = agent;
  const direction = ctx.media === 'callback' ? 'outbound' : 'inbound';
  const p = participant(ctx.rng, { purpose: 'agent', state: 'alerting', direction, name: agent.name, userId: agent.userId, queueId });
  if (ctx.customer.callback !== undefined) p.callback = ctx.customer.callback;
  return p;
}

/**
 * The agent of a callback dials the customer: a `calls[]` leg appears beside the `callbacks[]`
 * leg on both (the conversation stays a callback).
 */
export function dial(ctx: RouteContext, agent: SandboxParticipant): void {
  const agentCall = { id: ctx.rng.uuid(), state: 'connected', initialState: 'dialing', direction: 'outbound', held: false } as const;
  const customerCall = { id: ctx.rng.uuid(), state: 'connected', initialState: 'contacting', direction: 'outbound', held: false } as const;
  ctx.list.wait(draw(ctx.rng, [2_000, 8_000])).step('dial', (_conv, at) => {
    agent.dialLeg = { ...agentCall, connectedTime: at };
    ctx.customer.dialLeg = { ...customerCall, connectedTime: at };
  });
}

function alert(ctx: RouteContext, agent: SandboxParticipant): void {
  ctx.list.step('agent-alerting', (conv, at) => {
    join(conv, agent, at);
  });
}

/**
 * After the queue wait an agent is offered the interaction and answers. With `requeue` the first
 * agent lets it ring out and ACD offers it to a second agent of the same queue.
 */
export function offerAndAnswer(ctx: RouteContext, acd: SandboxParticipant, queueId: string, requeue: boolean): SandboxParticipant {
  const d = ctx.durations;
  let agent = agentParticipant(ctx, queueId);
  ctx.list.wait(draw(ctx.rng, d.queueMs));
  alert(ctx, agent);
  if (requeue) {
    const missed = agent;
    ctx.list.wait(draw(ctx.rng, d.noAnswerMs)).step('agent-no-answer', (_conv, at) => {
      disconnect(missed, NO_ANSWER_DISCONNECT, at);
    });
    agent = agentParticipant(ctx, queueId);
    ctx.list.wait(draw(ctx.rng, REROUTE_MS));
    alert(ctx, agent);
  }
  const answering = agent;
  ctx.list.wait(draw(ctx.rng, d.alertMs)).step('agent-connected', (conv, at) => {
    connect(answering, at);
    disconnect(acd, 'transfer', at);
    if (ctx.media === 'call') conv.recordingState = 'active';
  });
  return answering;
}

/**
 * The agent handles the interaction. Voice puts the customer on hold, pauses recording (payment
 * details) and updates attributes; digital media only update attributes. Each change repeats the
 * full snapshot, as Genesys does.
 */
export function handle(ctx: RouteContext, agent: SandboxParticipant): void {
  const { rng, list } = ctx;
  const total = draw(rng, ctx.durations.handleMs);
  const events = ctx.media === 'call' ? rng.int(0, 3) : ctx.media === 'email' ? 0 : rng.int(0, 1);
  // The handling time is cut into events + 1 slices; each event happens at the end of a slice.
  const slice = total / (events + 1);
  for (let i = 0; i < events; i++) {
    list.wait(slice);
    const kind = ctx.media === 'call' ? rng.pick(['hold', 'recording', 'attributes'] as const) : 'attributes';
    if (kind === 'hold') {
      const heldMs = Math.min(slice / 2, rng.between(10_000, 60_000));
      list.step('hold', () => { agent.leg.held = true; });
      list.wait(heldMs).step('unhold', () => { agent.leg.held = false; });
      list.wait(-heldMs);
    } else if (kind === 'recording') {
      const pausedMs = Math.min(slice / 2, rng.between(15_000, 45_000));
      list.step('recording-paused', (conv) => { conv.recordingState = 'paused'; });
      list.wait(pausedMs).step('recording-resumed', (conv) => { conv.recordingState = 'active'; });
      list.wait(-pausedMs);
    } else {
      const caseNumber = `CS-${rng.digits(6)}`;
      list.step('attributes', () => { ctx.customer.attributes['script.caseNumber'] = caseNumber; });
    }
  }
  list.wait(slice);
}

/** A blind transfer: the agent leaves with `transfer` and a second acd joins in `toQueueId`. */
export function transfer(ctx: RouteContext, agent: SandboxParticipant, toQueueId: string): SandboxParticipant {
  const acd = acdParticipant(ctx, toQueueId);
  ctx.list.step('transfer', (conv, at) => {
    disconnect(agent, 'transfer', at);
    join(conv, acd, at);
    enterQueue(conv, toQueueId);
  });
  return acd;
}

/** Who hangs up at the end, per media: the customer (`endpoint`) or the agent (`client`). */
const CUSTOMER_HANGS_UP = { call: 0.6, chat: 0.5, message: 0.2, email: 0, callback: 0.4 } as const satisfies Record<SandboxMedia, number>;

/** Media whose customer leg stays connected while the agent, gone, does after-call work. */
const CUSTOMER_OUTLASTS_AGENT = new Set<SandboxMedia>(['chat', 'message']);

/** The interaction ends: every leg disconnected, every participant with an `endTime`. */
export function finish(ctx: RouteContext, agent: SandboxParticipant): void {
  const customerEnds = ctx.rng.chance(CUSTOMER_HANGS_UP[ctx.media]);
  if (!customerEnds && CUSTOMER_OUTLASTS_AGENT.has(ctx.media)) {
    // After-call work: the agent shows disconnected with startAcwTime, the customer still connected.
    ctx.list.step('after-call-work', (_conv, at) => {
      disconnect(agent, 'client', at);
      agent.startAcwTime = at;
    });
    ctx.list.wait(draw(ctx.rng, [3_000, 20_000])).step('end', (conv, at) => {
      hangUpAll(conv, ctx.customer, 'endpoint', at);
    });
    return;
  }
  if (!customerEnds && ctx.media === 'callback') {
    // A callback agent in after-call work can stay `connected` with `disconnectedTime` set.
    ctx.list.step('after-call-work', (_conv, at) => {
      disconnect(ctx.customer, 'peer', at);
      agent.leg.disconnectedTime = at;
      agent.startAcwTime = at;
    });
    ctx.list.wait(draw(ctx.rng, [3_000, 20_000])).step('end', (conv, at) => {
      hangUpAll(conv, agent, 'client', at);
    });
    return;
  }
  ctx.list.step('end', (conv, at) => {
    if (customerEnds) hangUpAll(conv, ctx.customer, 'endpoint', at);
    else hangUpAll(conv, agent, 'client', at);
  });
}
