/**
 * Lifecycle scripts per media: how each kind of interaction arrives (voice through an IVR, chat,
 * messaging and email through an inbound flow, callbacks straight into a queue) and which routed
 * phases follow for each script kind. {@link buildPlan} draws one complete conversation.
 */
import type { CustomerFacts, SandboxConversation, SandboxMedia, SandboxParticipant } from '../org/conversation.js';
import { DURATIONS } from './durations.js';
import { TrafficError } from './errors.js';
import { join, hangUpAll, participant } from './legs.js';
import type { Customer } from './people.js';
import { StepList, type ConversationPlan, type ScriptKind } from './plan.js';
import type { Rng } from './random.js';
import { abandon, dial, draw, enqueue, finish, handle, offerAndAnswer, transfer, type RouteContext } from './routing.js';
import { customerSide } from './customers.js';

/** Everything one plan is drawn from. */
export interface PlanInput {
  /** This conversation's own source (fork it from the generator's). */
  readonly rng: Rng;
  readonly media: SandboxMedia;
  readonly script: ScriptKind;
  readonly queueId: string;
  /** Target of a `transfer`: another queue of the org. */
  readonly transferQueueId?: string;
  readonly customer: Customer;
  /** The customer participant's address when a test asks for a given one (default: by media). */
  readonly address?: string;
  /** Display name of a queue (the acd participant's `name`). */
  readonly queueName: (queueId: string) => string;
  /** Attributes the customer participant carries from the start (forged enricher markers). */
  readonly presetAttributes?: Readonly<Record<string, string>>;
}

/** The IVR customers dial (its legs have `sip:` addresses) and the flows that answer first. */
const IVR = { name: 'Main Menu', address: 'sip:+498004567890@ivr.sandbox-org.example.com' } as const;
/** Share of callbacks the agent dials (a `calls[]` leg appears beside the callback). */
const CALLBACK_DIAL_SHARE = 0.7;
const FLOW_NAMES = { chat: 'Web Chat Flow', message: 'Inbound Message Flow', email: 'Inbound Email Flow' } as const;
const LANGUAGES = ['de-DE', 'en-GB', 'fr-FR', 'en-US'] as const;
const INTENTS = ['billing', 'support', 'sales', 'cancellation'] as const;

/** The address a customer participant of this media carries. */
export function customerAddress(media: SandboxMedia, customer: Customer): string {
  return media === 'chat' || media === 'email' ? customer.email : customer.phone;
}

/** Whether a media can play this script with these queues (e.g. a transfer needs a second queue). */
export function canPlay(media: SandboxMedia, script: ScriptKind, queueId: string, transferQueueId?: string): boolean {
  if (script === 'ivr-abandon') return media !== 'callback';
  if (script === 'transfer') return transferQueueId !== undefined && transferQueueId !== queueId;
  return true;
}

/** The IVR (voice) or inbound flow (digital) that holds the interaction before the queue; callbacks have none. */
function entryParticipant(rng: Rng, media: SandboxMedia): SandboxParticipant | undefined {
  if (media === 'callback') return undefined;
  if (media === 'call') return participant(rng, { purpose: 'ivr', state: 'connected', direction: 'inbound', ...IVR });
  return participant(rng, { purpose: 'workflow', state: 'connected', direction: 'inbound', name: FLOW_NAMES[media] });
}

/** Participant data the IVR or bot sets before queueing (Architect "Set Participant Data"). */
function entryAttributes(rng: Rng, media: SandboxMedia): Record<string, string> {
  if (media === 'call') return { 'ivr.language': rng.pick(LANGUAGES), 'ivr.intent': rng.pick(INTENTS) };
  if (media === 'message') return { 'bot.intent': rng.pick(INTENTS) };
  return {};
}

function customerFacts(c: Customer): CustomerFacts {
  return {
    phone: c.phone,
    email: c.email,
    ...(c.externalContactId !== undefined && { externalContactId: c.externalContactId }),
    ...(c.crmCustomerId !== undefined && { crmCustomerId: c.crmCustomerId }),
  };
}

/** Draws one complete conversation of `input.media` following `input.script`. */
export function buildPlan(input: PlanInput): ConversationPlan {
  const { rng, media, script, queueId, transferQueueId } = input;
  if (!canPlay(media, script, queueId, transferQueueId)) {
    throw new TrafficError('traffic.unplayable', `A ${media} conversation cannot play the '${script}' script with these queues.`);
  }
  const conversation: SandboxConversation = {
    id: rng.uuid(),
    media,
    participants: [],
    startedAt: 0,
    queueIds: [],
    recordingState: 'none',
    customer: customerFacts(input.customer),
  };
  const side = customerSide({
    rng,
    media,
    customer: input.customer,
    ...(input.address !== undefined && { address: input.address }),
    ...(input.presetAttributes !== undefined && { presetAttributes: input.presetAttributes }),
  });
  const customer = side.participant;
  if (side.messageType !== undefined) conversation.messageType = side.messageType;
  if (side.chatProvider !== undefined) conversation.chatProvider = side.chatProvider;
  if (input.presetAttributes !== undefined && Object.keys(input.presetAttributes).length > 0) conversation.forgedMarker = true;
  const address = customer.address ?? customer.callback?.numbers[0] ?? '';
  const entry = entryParticipant(rng, media);
  const list = new StepList();
  const ctx: RouteContext = { rng, list, media, durations: DURATIONS[media], customer, queueName: input.queueName };

  list.step('arrive', (conv, at) => {
    if (customer.callback !== undefined) customer.callback.scheduledTime = at;
    join(conv, customer, at);
    if (entry !== undefined) join(conv, entry, at);
  });
  list.wait(draw(rng, ctx.durations.entryMs));
  if (script === 'ivr-abandon') {
    list.step('abandon', (conv, at) => {
      hangUpAll(conv, customer, 'endpoint', at);
    });
  } else {
    const acd = enqueue(ctx, queueId, entry, entryAttributes(rng, media));
    if (script === 'abandon') {
      abandon(ctx, ctx.durations.patienceMs);
    } else {
      let agent = offerAndAnswer(ctx, acd, queueId, script === 'requeue');
      if (media === 'callback' && rng.chance(CALLBACK_DIAL_SHARE)) dial(ctx, agent);
      handle(ctx, agent);
      if (script === 'transfer' && transferQueueId !== undefined) {
        const secondAcd = transfer(ctx, agent, transferQueueId);
        agent = offerAndAnswer(ctx, secondAcd, transferQueueId, false);
        handle(ctx, agent);
      }
      finish(ctx, agent);
    }
  }
  return { conversation, media, script, queueId, customer: input.customer, customerAddress: address, steps: list.steps };
}
