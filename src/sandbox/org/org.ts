/**
 * The sandbox org's state: queues, flows, live and ended conversations, and the record of every
 * attribute write. Every conversation change is published through `publish` on the generic queue
 * topic and the media-specific one of each queue the conversation has touched.
 */
import type { AnswerFault } from '../http/faults.js';
import type { SandboxQueue } from '../options.js';
import { isTerminal, MEDIA_KEY, type SandboxConversation, type SandboxParticipant } from './conversation.js';
import { genericSnapshot, mediaSnapshot } from './snapshots.js';
import { CustomerDirectory } from '../crm/directory.js';
import { FlowRegistry } from './flows.js';
import { TruthLog, type ConversationTruth } from './truth.js';

/** Sends an event to every socket subscribed to `topicName`. */
export type Publish = (topicName: string, eventBody: unknown) => void;

/** One attribute PATCH the sandbox accepted. */
export interface WriteRecord {
  readonly at: number;
  readonly conversationId: string;
  readonly participantId: string;
  readonly purpose: string;
  readonly queueId: string | undefined;
  readonly attributes: Readonly<Record<string, string>>;
  readonly clientId: string;
  /** Correlation id of the PATCH that made this write (links it to its call record). */
  readonly correlationId?: string;
  /** The conversation had already ended (the sandbox was told to accept such PATCHes with 202). */
  readonly afterEnd?: boolean;
  /** Set when an injected fault hit the answer of this (applied) write: lost, late or failed. */
  answerFault?: AnswerFault;
}

/** Why a PATCH was refused. */
export type PatchOutcome = 'ok' | 'no-conversation' | 'no-participant' | 'ended';

/** What a PATCH of attributes on an ended conversation answers (the real answer is unsure). */
export type EndedPatchStatus = 202 | 400 | 404;

/** How long, and how many, ended conversations stay readable through the API. */
export interface EndedRetention {
  readonly endedRetentionMs: number;
  readonly maxEndedConversations: number;
}

const DEFAULT_RETENTION: EndedRetention = { endedRetentionMs: 300_000, maxEndedConversations: 5_000 };

export class SandboxOrg {
  readonly conversations = new Map<string, SandboxConversation>();
  readonly writes: WriteRecord[] = [];
  readonly flows: FlowRegistry;
  /** Conversations that ever had an agent connected (the ones the daemon must enrich). */
  readonly connected = new Set<string>();
  /** The customers the fake CRM knows (pass it to `startFakeCrm({ directory })`). */
  readonly customers = new CustomerDirectory();
  private readonly truthLog = new TruthLog();
  /** What a PATCH on an ended conversation answers: 202 (applied, recorded `afterEnd`), 400 or 404. */
  endedPatchStatus: EndedPatchStatus = 404;
  private readonly endedOrder: string[] = [];
  private publishFn: Publish = () => undefined;

  constructor(
    readonly queues: readonly SandboxQueue[],
    private readonly retention: EndedRetention = DEFAULT_RETENTION,
  ) {
    this.flows = new FlowRegistry((topic, body) => {
      this.publishFn(topic, body);
    });
  }

  /** Connects the org to the notification hub. */
  setPublisher(publish: Publish): void {
    this.publishFn = publish;
  }

  publish(topic: string, body: unknown): void {
    this.publishFn(topic, body);
  }

  add(conv: SandboxConversation): void {
    this.conversations.set(conv.id, conv);
    const customer = conv.customer;
    if (customer?.crmCustomerId !== undefined) this.customers.register(customer.crmCustomerId, customer);
    this.truthLog.started(conv);
  }

  /** One entry per conversation played (the truth API), oldest first. */
  truth(): ConversationTruth[] {
    return this.truthLog.all();
  }

  /** Publishes the conversation's full snapshot to the topics of every queue it touched. */
  publishConversation(conv: SandboxConversation): void {
    if (conv.participants.some((p) => p.purpose === 'agent' && p.leg.state === 'connected')) this.connected.add(conv.id);
    this.truthLog.changed(conv);
    if (conv.queueIds.length === 0) return;
    const generic = genericSnapshot(conv);
    const specific = mediaSnapshot(conv);
    for (const queueId of conv.queueIds) {
      this.publishFn(`v2.routing.queues.${queueId}.conversations`, generic);
      this.publishFn(`v2.routing.queues.${queueId}.conversations.${MEDIA_KEY[conv.media]}`, specific);
    }
  }

  /** Marks a conversation ended once every participant has; keeps it readable for a while. */
  settle(conv: SandboxConversation, now: number = Date.now()): void {
    if (conv.endedAt !== undefined) return;
    if (!conv.participants.every((p) => isTerminal(p.leg.state))) return;
    conv.endedAt = now;
    this.truthLog.ended(conv);
    this.endedOrder.push(conv.id);
    // Ended conversations are dropped from memory after a while so long runs stay bounded.
    while (this.endedOrder.length > 0) {
      const first = this.conversations.get(this.endedOrder[0] ?? '');
      const young = first?.endedAt !== undefined && now - first.endedAt < this.retention.endedRetentionMs;
      if (young && this.endedOrder.length <= this.retention.maxEndedConversations) break;
      this.conversations.delete(this.endedOrder.shift() ?? '');
    }
  }

  /** Merges string attributes into a participant (PATCH semantics of the sandbox) and republishes. */
  patchAttributes(
    conversationId: string,
    participantId: string,
    attributes: Record<string, string>,
    clientId: string,
    at: number = Date.now(),
    correlationId?: string,
  ): PatchOutcome {
    const conv = this.conversations.get(conversationId);
    if (!conv) return 'no-conversation';
    const afterEnd = conv.endedAt !== undefined;
    if (afterEnd && this.endedPatchStatus !== 202) return 'ended';
    const participant: SandboxParticipant | undefined = conv.participants.find((p) => p.id === participantId);
    if (!participant) return 'no-participant';
    Object.assign(participant.attributes, attributes);
    this.writes.push({
      at,
      conversationId,
      participantId,
      purpose: participant.purpose,
      queueId: conv.queueIds[conv.queueIds.length - 1],
      attributes: { ...attributes },
      clientId,
      ...(correlationId !== undefined && { correlationId }),
      ...(afterEnd && { afterEnd }),
    });
    // An ended conversation sends no more snapshots.
    if (!afterEnd) this.publishConversation(conv);
    return 'ok';
  }

  /** Marks the write made by the PATCH with this correlation id as hit by an answer fault. */
  markAnswerFault(correlationId: string, fault: AnswerFault): void {
    for (let i = this.writes.length - 1; i >= 0; i--) {
      const w = this.writes[i];
      if (w?.correlationId === correlationId) {
        w.answerFault = fault;
        return;
      }
    }
  }

  /** Live conversations of a queue as the activity query lists them. */
  live(queueId: string): { conversationId: string; userId?: string; media: string; metric: 'oWaiting' | 'oInteracting' }[] {
    const out: { conversationId: string; userId?: string; media: string; metric: 'oWaiting' | 'oInteracting' }[] = [];
    for (const conv of this.conversations.values()) {
      if (conv.endedAt !== undefined || !conv.queueIds.includes(queueId)) continue;
      const agent = [...conv.participants].reverse().find((p) => p.purpose === 'agent' && p.queueId === queueId && !isTerminal(p.leg.state));
      const acd = conv.participants.find((p) => p.purpose === 'acd' && p.queueId === queueId && !isTerminal(p.leg.state));
      if (agent?.leg.state === 'connected') {
        out.push({ conversationId: conv.id, ...(agent.userId !== undefined && { userId: agent.userId }), media: conv.media, metric: 'oInteracting' });
      } else if (acd || agent) {
        out.push({ conversationId: conv.id, media: conv.media, metric: 'oWaiting' });
      }
    }
    return out;
  }
}
