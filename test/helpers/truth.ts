/**
 * What the sandbox says happened, in the shape of its truth API (one entry per conversation it
 * played). While a sandbox without `org.truth()` runs, {@link recordTruth} builds the same entries
 * from the conversations the org was given, read only from the sandbox's own objects.
 */
import type { Sandbox } from '../../src/sandbox/index.js';
import type { SandboxConversation } from '../../src/sandbox/org/conversation.js';

/** One identifier the sandbox gave a customer, and where a reader finds it. */
export interface TruthIdentifier {
  /** `ani`, `address`, `callbackNumbers`, `externalContact` or `attr:NAME`. */
  readonly source: string;
  readonly kind: 'phone' | 'email' | 'externalContactId';
  readonly value: string;
}

/** One conversation the sandbox played (the sandbox truth API's entry). */
export interface ConversationTruth {
  readonly id: string;
  /** Queue of its first acd leg. */
  readonly queueId: string;
  readonly queueIds: readonly string[];
  /** Media as it entered: call, callback, chat, message or email. */
  readonly media: string;
  readonly messageType?: string;
  readonly customerParticipantId: string;
  readonly agentConnected: boolean;
  readonly connectedAt?: number;
  readonly endedAt?: number;
  readonly identifiers: readonly TruthIdentifier[];
  /** Undefined: the CRM does not know this customer. */
  readonly crmCustomerId?: string;
  /** The sandbox planted a marker attribute the daemon did not write. */
  readonly forgedMarker?: boolean;
}

/** One applied PATCH as the sandbox recorded it. */
export interface WriteFact {
  readonly conversationId: string;
  readonly participantId: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly at: number;
  /** An injected fault lost, delayed or failed the answer of this applied write. */
  readonly fault?: string;
}

/** Reads the sandbox's record; `crmCustomerOf` names the CRM entity an identifier finds (fallback only). */
export interface TruthSource {
  truth(): ConversationTruth[];
}

type WithTruth = { truth?: () => ConversationTruth[] };

/**
 * The sandbox's truth: `sandbox.org.truth()` when the sandbox has it, else entries built from the
 * conversations handed to the org from now on (call before any traffic starts).
 * `crmCustomerOf` answers, for a fallback entry, which CRM customer an identifier value finds.
 */
export function recordTruth(sandbox: Sandbox, crmCustomerOf: (value: string) => string | undefined): TruthSource {
  const org = sandbox.org as typeof sandbox.org & WithTruth;
  if (typeof org.truth === 'function') {
    const truth = org.truth.bind(org);
    return { truth };
  }
  const seen = new Map<string, SandboxConversation>();
  const connectedAt = new Map<string, number>();
  const add = org.add.bind(org);
  org.add = (conv: SandboxConversation): void => {
    seen.set(conv.id, conv);
    add(conv);
  };
  const publish = org.publishConversation.bind(org);
  org.publishConversation = (conv: SandboxConversation): void => {
    publish(conv);
    if (!connectedAt.has(conv.id) && org.connected.has(conv.id)) connectedAt.set(conv.id, Date.now());
  };
  return {
    truth: () => [...seen.values()].map((conv) => fallbackEntry(conv, connectedAt.get(conv.id), crmCustomerOf)),
  };
}

function fallbackEntry(conv: SandboxConversation, connectedAt: number | undefined, crmCustomerOf: (value: string) => string | undefined): ConversationTruth {
  const customer = conv.participants.find((p) => p.purpose === 'customer');
  const firstAcd = conv.participants.find((p) => p.purpose === 'acd');
  const identifiers: TruthIdentifier[] = [];
  const address = customer?.address;
  if (address?.startsWith('tel:') === true) identifiers.push({ source: 'address', kind: 'phone', value: address.slice(4) });
  else if (address?.includes('@') === true) identifiers.push({ source: 'address', kind: 'email', value: address.replace(/^mailto:/, '') });
  for (const [name, value] of Object.entries(customer?.attributes ?? {})) {
    if (/^context\.email$/i.test(name)) identifiers.push({ source: `attr:${name}`, kind: 'email', value });
  }
  const crmCustomerId = identifiers.map((i) => crmCustomerOf(i.value)).find((id) => id !== undefined);
  return {
    id: conv.id,
    queueId: firstAcd?.queueId ?? conv.queueIds[0] ?? '',
    queueIds: [...conv.queueIds],
    media: conv.media,
    customerParticipantId: customer?.id ?? '',
    agentConnected: connectedAt !== undefined,
    ...(connectedAt !== undefined && { connectedAt }),
    ...(conv.endedAt !== undefined && { endedAt: conv.endedAt }),
    identifiers,
    ...(crmCustomerId !== undefined && { crmCustomerId }),
  };
}

/** The sandbox's applied writes as facts. */
export function writeFacts(sandbox: Sandbox): WriteFact[] {
  return sandbox.org.writes.map((w) => {
    const fault = (w as { fault?: unknown }).fault;
    return {
      conversationId: w.conversationId,
      participantId: w.participantId,
      attributes: w.attributes,
      at: w.at,
      ...(typeof fault === 'string' && { fault }),
    };
  });
}
