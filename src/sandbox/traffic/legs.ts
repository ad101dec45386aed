/**
 * The state changes a lifecycle script makes to participants and their media legs. Each one sets
 * the timestamps Genesys sets with it, so snapshots stay self-consistent.
 */
import { isTerminal, type MediaLeg, type SandboxConversation, type SandboxParticipant } from '../org/conversation.js';
import type { Rng } from './random.js';

/** What a new participant is made of (ids come from the conversation's own PRNG). */
export interface ParticipantSpec {
  purpose: string;
  state: string;
  direction: MediaLeg['direction'];
  name?: string;
  address?: string;
  queueId?: string;
  userId?: string;
  attributes?: Record<string, string>;
}

/**
 * A participant, not yet in the conversation: scripts create them while planning so that later
 * steps can refer to them; {@link join} adds them at the step where they appear.
 */
export function participant(rng: Rng, spec: ParticipantSpec): SandboxParticipant {
  const p: SandboxParticipant = {
    id: rng.uuid(),
    purpose: spec.purpose,
    startTime: '',
    attributes: { ...spec.attributes },
    leg: { id: rng.uuid(), state: spec.state, initialState: spec.state, direction: spec.direction, held: false },
  };
  if (spec.name !== undefined) p.name = spec.name;
  if (spec.address !== undefined) p.address = spec.address;
  if (spec.queueId !== undefined) p.queueId = spec.queueId;
  if (spec.userId !== undefined) p.userId = spec.userId;
  return p;
}

/** Adds a participant at `at`; one that starts connected gets its connected times too. */
export function join(conv: SandboxConversation, p: SandboxParticipant, at: string): void {
  p.startTime = at;
  if (p.leg.state === 'connected') markConnected(p, at);
  conv.participants.push(p);
}

/** The leg answers (alerting -> connected). */
export function connect(p: SandboxParticipant, at: string): void {
  p.leg.state = 'connected';
  markConnected(p, at);
}

function markConnected(p: SandboxParticipant, at: string): void {
  p.connectedTime ??= at;
  p.leg.connectedTime ??= at;
}

/** The leg ends; a leg that already ended keeps its first end. */
export function disconnect(p: SandboxParticipant, disconnectType: string, at: string): void {
  if (isTerminal(p.leg.state)) return;
  p.leg.state = 'disconnected';
  p.leg.disconnectType = disconnectType;
  p.leg.disconnectedTime = at;
  p.leg.held = false;
  p.endTime = at;
  if (p.dialLeg !== undefined && !isTerminal(p.dialLeg.state)) {
    p.dialLeg.state = 'disconnected';
    p.dialLeg.disconnectType = disconnectType;
    p.dialLeg.disconnectedTime = at;
  }
}

/** Everyone still on the line leaves: `initiator` with `initiatorType`, the others as `peer`. */
export function hangUpAll(conv: SandboxConversation, initiator: SandboxParticipant, initiatorType: string, at: string): void {
  disconnect(initiator, initiatorType, at);
  for (const p of conv.participants) disconnect(p, 'peer', at);
}

/** Queues the conversation has been routed to: the one a new acd participant adds. */
export function enterQueue(conv: SandboxConversation, queueId: string): void {
  if (!conv.queueIds.includes(queueId)) conv.queueIds.push(queueId);
}
