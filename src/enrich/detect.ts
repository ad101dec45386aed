/**
 * The pure decision "is this conversation snapshot one to enrich now?". It keeps no memory: the same
 * snapshot always gives the same answer, and repeated snapshots (hold, mute, recording, attribute
 * changes) are the caller's dedupe to absorb.
 */
import type { MarkerVerifier } from './marker.js';
import { isTerminalState, type ConversationView, type MediaType, type ParticipantView } from './snapshot.js';

/** When a conversation becomes due: an agent in a watched queue connected, or it is waiting in one. */
export type Trigger = 'agent-connected' | 'queued';
/** Which participant receives the attributes. */
export type TargetRole = 'customer' | 'agent';

/** What {@link detect} needs to know about the configuration. */
export interface DetectOptions {
  /** Watched queue ids. */
  queueIds: ReadonlySet<string>;
  /** Watched media types. */
  media: ReadonlySet<MediaType>;
  trigger: Trigger;
  target: TargetRole;
  /** Attribute key whose presence on the target means "already enriched" (written with the attributes). */
  markerKey: string;
  /**
   * Checks a marker's value. A marker that does not verify counts as absent (anyone can set a
   * participant attribute). Without a verifier any marker counts (tests of other rules only).
   */
  verifyMarker?: MarkerVerifier;
}

/**
 * The verdict: `enrich` now; `wait` (not yet, nothing to audit); or `skip` for a conversation that is
 * ours but will not be enriched (worth one audit line).
 */
export type Detection =
  | {
      kind: 'enrich';
      conversationId: string;
      queueId: string;
      media: MediaType;
      target: ParticipantView;
      customer: ParticipantView;
      /** The target carried a marker that did not verify. */
      markerFound?: 'forged';
    }
  | { kind: 'wait'; reason: string }
  | {
      kind: 'skip';
      reason: 'already-enriched' | 'conversation-ended' | 'no-customer' | 'media-not-configured';
      conversationId: string;
      queueId?: string;
      participantId?: string;
    };

/** Agents show up as `agent` when routed by ACD and as `user` on direct or agent-placed interactions. */
function isAgent(p: ParticipantView): boolean {
  return p.purpose === 'agent' || p.purpose === 'user';
}

/** A participant whose media is still alive (a missing state counts as unknown, not alive). */
function isLive(p: ParticipantView): boolean {
  return p.state !== undefined && !isTerminalState(p.state) && p.endTime === undefined;
}

/** The customer is gone once every media of theirs is disconnected/terminated, or their endTime is set. */
function hasEnded(p: ParticipantView): boolean {
  return p.endTime !== undefined || isTerminalState(p.state);
}

/** An acd or agent participant sitting in a watched queue. */
type Routed = ParticipantView & { queueId: string };

/** What one pass over the participants finds; "newest" means latest in the array (Genesys appends). */
interface Scan {
  /** See {@link customerOf}. */
  customer: ParticipantView | undefined;
  /** Newest acd/agent participant in a watched queue, whatever its state. */
  routed: Routed | undefined;
  /** Newest agent in a watched queue, whatever its state. */
  agent: Routed | undefined;
  /** Newest agent in a watched queue whose state is `connected`. */
  connectedAgent: Routed | undefined;
  /** Newest acd or agent in a watched queue that is still live (waiting, alerting, connected, ...). */
  live: Routed | undefined;
  sawIvr: boolean;
  sawOtherQueue: boolean;
}

function isRouted(p: ParticipantView): p is Routed {
  return p.queueId !== undefined;
}

function better(current: ParticipantView | undefined, next: ParticipantView): ParticipantView {
  if (current === undefined) return next;
  return hasEnded(current) && !hasEnded(next) ? next : current;
}

function scan(view: ConversationView, queueIds: ReadonlySet<string>): Scan {
  const s: Scan = {
    customer: undefined,
    routed: undefined,
    agent: undefined,
    connectedAgent: undefined,
    live: undefined,
    sawIvr: false,
    sawOtherQueue: false,
  };
  for (const p of view.participants) {
    const { purpose } = p;
    if (purpose === 'customer' || purpose === 'external') continue;
    if (purpose === 'ivr') s.sawIvr = true;
    const agent = isAgent(p);
    if (!agent && purpose !== 'acd') continue;
    if (!isRouted(p)) continue;
    if (!queueIds.has(p.queueId)) {
      s.sawOtherQueue = true;
      continue;
    }
    s.routed = p;
    if (isLive(p)) s.live = p;
    if (agent) {
      s.agent = p;
      if (p.state === 'connected') s.connectedAgent = p;
    }
  }
  s.customer = customerOf(view);
  return s;
}

/**
 * The customer of a conversation: the participant with purpose `customer`, else `external`
 * (outbound, callbacks); of several with one purpose the first still live, else the first. Detection
 * and `inspect` both use it, so they cannot disagree about whom the lookup is for.
 */
export function customerOf(view: ConversationView): ParticipantView | undefined {
  let customer: ParticipantView | undefined;
  let external: ParticipantView | undefined;
  for (const p of view.participants) {
    if (p.purpose === 'customer') customer = better(customer, p);
    else if (p.purpose === 'external') external = better(external, p);
  }
  return customer ?? external;
}

/**
 * The media the conversation entered the queue as: a callback stays a callback once dialled (any of
 * the participants that decide shows it), else the media of the first of them that has one.
 */
export function conversationMedia(...deciding: readonly (ParticipantView | undefined)[]): MediaType | undefined {
  let first: MediaType | undefined;
  for (const p of deciding) {
    const media = p?.media;
    if (media === 'callback') return media;
    first ??= media;
  }
  return first;
}

function waitReason(s: Scan, trigger: Trigger): string {
  if (trigger === 'queued') return 'left-watched-queue';
  if (s.agent !== undefined && s.agent.state === 'alerting') return 'agent-alerting';
  return s.live !== undefined ? 'in-queue' : 'no-agent-connected';
}

/**
 * Decides what to do with one conversation snapshot. The rules, in the order they apply:
 *
 * 1. Only acd and agent (`agent` or `user`) participants whose `queueId` is watched count; the newest
 *    of them (latest in the array, which covers transfers and requeues that add a second acd/agent)
 *    names the queue. None at all: `wait` (`in-ivr`, `queue-not-configured`, or `not-routed` for
 *    outbound and direct interactions). Such conversations are not ours, so nothing is audited.
 * 2. The customer is the participant with purpose `customer`, else `external` (outbound, callbacks).
 *    None: `skip` `no-customer`.
 * 3. The media is that of the participant that fires the trigger (else the newest watched one, else
 *    the customer), except that a callback stays a callback when any of them shows one (a dialled
 *    callback grows a call). Unknown or not watched: `skip` `media-not-configured`.
 * 4. `already-enriched` when the target (the customer, or for target `agent` the firing agent, else
 *    the newest watched agent) has `markerKey` among its attributes and it verifies. Checked before
 *    the end so that an enriched conversation that has since ended still reads as enriched. A marker
 *    that does not verify counts as absent; the enrich decision then says `markerFound: 'forged'`.
 * 5. `conversation-ended` when the customer's media is disconnected/terminated or its `endTime` is set,
 *    whatever happened before: a conversation first seen after its agent hung up is ended too (the
 *    caller knows whether it enriched it).
 * 6. The trigger: `agent-connected` fires on the newest watched agent whose state is `connected`;
 *    `queued` fires on the newest watched acd or agent that is still live (the customer waiting in the
 *    queue, an agent alerting, or one already connected when the conversation is first seen late).
 *    Not fired: `wait` (`in-queue`, `agent-alerting`, `no-agent-connected`, `left-watched-queue`).
 * 7. Target `agent` needs an agent: `queued` with only an acd participant gives `wait`
 *    `agent-not-assigned`. Otherwise `enrich`, with the queue of the firing participant.
 */
export function detect(view: ConversationView, opts: DetectOptions): Detection {
  const conversationId = view.id;
  const s = scan(view, opts.queueIds);
  const { routed, customer } = s;
  if (routed === undefined) {
    return { kind: 'wait', reason: s.sawOtherQueue ? 'queue-not-configured' : s.sawIvr ? 'in-ivr' : 'not-routed' };
  }
  const { queueId } = routed;
  if (customer === undefined) return { kind: 'skip', reason: 'no-customer', conversationId, queueId };

  const firing = opts.trigger === 'agent-connected' ? s.connectedAgent : s.live;
  const agentTarget = firing !== undefined && isAgent(firing) ? firing : undefined;
  const markerHolder = opts.target === 'customer' ? customer : (agentTarget ?? s.agent);
  const skip = (reason: 'already-enriched' | 'conversation-ended' | 'media-not-configured'): Detection =>
    markerHolder === undefined
      ? { kind: 'skip', reason, conversationId, queueId }
      : { kind: 'skip', reason, conversationId, queueId, participantId: markerHolder.id };

  const media = conversationMedia(firing, routed, customer);
  if (media === undefined || !opts.media.has(media)) return skip('media-not-configured');
  const marker = markerHolder === undefined ? 'absent' : markerState(conversationId, markerHolder, opts);
  if (marker === 'valid') return skip('already-enriched');
  if (hasEnded(customer)) return skip('conversation-ended');
  if (firing === undefined) return { kind: 'wait', reason: waitReason(s, opts.trigger) };

  const target = opts.target === 'customer' ? customer : agentTarget;
  if (target === undefined) return { kind: 'wait', reason: 'agent-not-assigned' };
  const forged = marker === 'forged' && target.id === markerHolder?.id ? { markerFound: 'forged' as const } : {};
  return { kind: 'enrich', conversationId, queueId: firing.queueId, media, target, customer, ...forged };
}

/** `valid` (ours), `forged` (present but does not verify) or `absent`. */
function markerState(conversationId: string, holder: ParticipantView, opts: DetectOptions): 'valid' | 'forged' | 'absent' {
  if (!Object.hasOwn(holder.attributes, opts.markerKey)) return 'absent';
  if (opts.verifyMarker === undefined) return 'valid';
  return opts.verifyMarker(conversationId, holder.attributes[opts.markerKey]).kind === 'valid' ? 'valid' : 'forged';
}
