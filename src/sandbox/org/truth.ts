/**
 * The sandbox's own record of every conversation it played (the truth API): who the customer
 * is, what identifies them in the payloads Genesys would send, whether the CRM knows them, and
 * when an agent connected. Tests judge the daemon against this record, never against the
 * daemon's own audit trail. Built from the sandbox's model, not from any daemon code.
 */
import { normalizeIdentifier, type IdentifierKind } from '../crm/directory.js';
import type { MessageType, SandboxConversation, SandboxMedia, SandboxParticipant } from './conversation.js';

/** One value in a conversation's payloads that identifies the customer. */
export interface TruthIdentifier {
  /** Where it is: `ani`, `address`, `callbackNumbers`, `externalContact` or `attr:NAME` (the name as sent). */
  readonly source: string;
  readonly kind: IdentifierKind;
  /** Canonical form: E.164 phone, lower-case e-mail, external contact id. */
  readonly value: string;
}

/** One conversation the sandbox played. */
export interface ConversationTruth {
  readonly id: string;
  /** Queue of its first acd leg; absent when it never reached a queue (ended in the IVR or bot). */
  readonly queueId?: string;
  /** Every queue it was routed to, in order. */
  readonly queueIds: readonly string[];
  /** The medium it entered as: a callback the agent dials stays `callback`. */
  readonly media: SandboxMedia;
  readonly messageType?: MessageType;
  readonly customerParticipantId: string;
  /** Whether an agent was ever connected (the conversations the daemon must enrich). */
  readonly agentConnected: boolean;
  /** Epoch ms of the first agent connect. */
  readonly connectedAt?: number;
  /** Epoch ms when every participant had ended. */
  readonly endedAt?: number;
  /** Empty: nothing in the payloads identifies the customer. */
  readonly identifiers: readonly TruthIdentifier[];
  /** The fake CRM's entity for this customer (`recordOf`); undefined: the CRM does not know them. */
  readonly crmCustomerId?: string;
  /** The customer participant carried forged enricher attributes from the start. */
  readonly forgedMarker?: boolean;
}

/**
 * Chat-form and messenger attributes that identify a customer, by lower-case name. Real widgets
 * differ in case (`context.Email`, `context.firstname`); the org's widget decides the names.
 */
const IDENTIFYING_ATTRIBUTES: ReadonlyMap<string, IdentifierKind> = new Map([
  ['context.email', 'email'],
  ['context.phonenumber', 'phone'],
  ['customer.email', 'email'],
  ['customer.phone', 'phone'],
]);

/** The identifiers a conversation's customer participant carries, in source order. */
export function customerIdentifiers(conv: SandboxConversation): TruthIdentifier[] {
  const p = customerOf(conv);
  if (p === undefined) return [];
  const out: TruthIdentifier[] = [];
  const add = (source: string, kind: IdentifierKind, raw: string | undefined): void => {
    const value = raw === undefined ? undefined : normalizeIdentifier(kind, raw);
    if (value !== undefined) out.push({ source, kind, value });
  };
  add('ani', 'phone', p.ani);
  const addressKind = addressKindOf(conv);
  if (addressKind !== undefined) add('address', addressKind, p.address);
  add('callbackNumbers', 'phone', p.callback?.numbers.find((n) => n.trim() !== ''));
  add('externalContact', 'externalContactId', p.externalContactId);
  for (const [name, value] of Object.entries(p.attributes)) {
    const kind = IDENTIFYING_ATTRIBUTES.get(name.toLowerCase());
    if (kind !== undefined) add(`attr:${name}`, kind, value);
  }
  return out;
}

/** What a customer's `address` is in this medium: a guest id (chat) or nothing usable (web messaging) is no key. */
function addressKindOf(conv: SandboxConversation): IdentifierKind | undefined {
  switch (conv.media) {
    case 'call':
    case 'callback':
      return 'phone';
    case 'email':
      return 'email';
    case 'message':
      return conv.messageType === 'sms' || conv.messageType === 'whatsapp' ? 'phone' : undefined;
    case 'chat':
      return undefined;
  }
}

function customerOf(conv: SandboxConversation): SandboxParticipant | undefined {
  return conv.participants.find((p) => p.purpose === 'customer');
}

type MutableTruth = {
  -readonly [K in keyof ConversationTruth]: ConversationTruth[K];
};

/** Conversations kept before the oldest are forgotten (long sandbox runs stay bounded). */
const DEFAULT_MAX_TRUTHS = 100_000;

/** Collects the truth of every conversation as the org sees it played. */
export class TruthLog {
  private readonly entries = new Map<string, MutableTruth>();

  constructor(private readonly max: number = DEFAULT_MAX_TRUTHS) {}

  /** Records a conversation that just arrived (its customer participant has joined). */
  started(conv: SandboxConversation): void {
    const customer = customerOf(conv);
    const entry: MutableTruth = {
      id: conv.id,
      queueIds: [],
      media: conv.media,
      ...(conv.messageType !== undefined && { messageType: conv.messageType }),
      customerParticipantId: customer?.id ?? '',
      agentConnected: false,
      identifiers: customerIdentifiers(conv),
      ...(conv.customer?.crmCustomerId !== undefined && { crmCustomerId: conv.customer.crmCustomerId }),
      ...(conv.forgedMarker === true && { forgedMarker: true }),
    };
    this.entries.set(conv.id, entry);
    while (this.entries.size > this.max) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.entries.delete(oldest.value);
    }
  }

  /** Follows the conversation after a change: queues and the first agent connect. */
  changed(conv: SandboxConversation): void {
    const entry = this.entries.get(conv.id);
    if (entry === undefined) return;
    entry.queueIds = [...conv.queueIds];
    const first = conv.queueIds[0];
    if (first !== undefined) entry.queueId = first;
    const agent = entry.agentConnected ? undefined : conv.participants.find((p) => p.purpose === 'agent' && p.leg.state === 'connected');
    if (agent !== undefined) {
      entry.agentConnected = true;
      // The connect time the payloads show (the traffic's clock, which tests may fake).
      const at = Date.parse(agent.connectedTime ?? '');
      entry.connectedAt = Number.isFinite(at) ? at : Date.now();
    }
  }

  ended(conv: SandboxConversation): void {
    const entry = this.entries.get(conv.id);
    if (entry !== undefined && conv.endedAt !== undefined) entry.endedAt = conv.endedAt;
  }

  /** A copy of every entry, oldest first. */
  all(): ConversationTruth[] {
    return [...this.entries.values()].map((e) => ({ ...e, queueIds: [...e.queueIds], identifiers: e.identifiers.map((i) => ({ ...i })) }));
  }
}
