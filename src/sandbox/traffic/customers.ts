/**
 * The customer participant of each medium as real orgs show it (docs/architecture.md, "Conversation frames", in the
 * project's words in docs/sandbox.md): calls with `ani`, `dnis`, a caller name and sometimes an
 * external contact; callbacks without `address`, the numbers in the callback request (sometimes
 * `[""]`); web chat guests with a guest id as address (older ACD chat) or none (web chat v2), and
 * chat-form data as attributes in mixed case; web messaging guests with no phone, some with a
 * custom `customer.email` attribute; SMS and WhatsApp customers with `tel:` addresses; e-mail
 * senders. Some customers carry nothing that identifies them.
 */
import type { MessageType, SandboxMedia, SandboxParticipant } from '../org/conversation.js';
import { participant } from './legs.js';
import type { Customer } from './people.js';
import type { Rng } from './random.js';

/** The shares that shape customers, defined once. */
export const CUSTOMER_SHARES = {
  /** Calls from a withheld number (nothing identifies the caller unless an external contact). */
  anonymousCall: 0.03,
  /** Calls whose participant `name` is the number again rather than a caller name. */
  numberAsName: 0.5,
  /** Callback requests without a number (`callbackNumbers: [""]`). */
  callbackWithoutNumber: 0.1,
  /** Web chats on web chat v2 (no guest address) rather than older ACD chat. */
  webChatV2: 0.5,
  /** Chat forms with an e-mail, with a phone number. */
  chatFormEmail: 0.75,
  chatFormPhone: 0.4,
  /** Web messaging guests whose messenger sets a `customer.email` custom attribute. */
  webMessagingEmail: 0.7,
} as const;

/** Message types with their weights (web messaging most common). */
const MESSAGE_TYPES: readonly MessageType[] = ['webmessaging', 'webmessaging', 'webmessaging', 'sms', 'sms', 'whatsapp'];

/** Chat-form key spellings met in real payloads (the widget decides them). */
const CHAT_FORM_SPELLINGS = [
  { email: 'context.email', first: 'context.firstName', last: 'context.lastName', phone: 'context.phoneNumber' },
  { email: 'context.email', first: 'context.firstname', last: 'context.lastname', phone: 'context.phonenumber' },
  { email: 'context.Email', first: 'context.FirstName', last: 'context.LastName', phone: 'context.PhoneNumber' },
] as const;

/** The number the IVR answers, and the flows that answer digital media first. */
export const IVR_NUMBER = 'tel:+498004567890';
const ORG_GUEST_DOMAIN = 'guest.sandbox-org.example.com';
const CALLBACK_SCRIPT_ID = '5f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';
export const WEB_CHAT_V2_PROVIDER = 'PureCloud Webchat v2';

/** A customer participant and what it says about the conversation. */
export interface CustomerSide {
  readonly participant: SandboxParticipant;
  readonly messageType?: MessageType;
  readonly chatProvider?: string;
}

/** What shapes one customer participant. */
export interface CustomerSideInput {
  readonly rng: Rng;
  readonly media: SandboxMedia;
  readonly customer: Customer;
  /** An address a test asks for: the customer carries it whatever the medium (calls: as `ani` too). */
  readonly address?: string;
  /** Attributes set from the start (forged enricher markers, as a messenger's custom attributes would). */
  readonly presetAttributes?: Readonly<Record<string, string>>;
}

const e164 = (phone: string): string => phone.replace(/^tel:/, '');

/** Draws the customer participant of `media`. */
export function customerSide(input: CustomerSideInput): CustomerSide {
  const { rng, media, customer } = input;
  const [first = '', last = ''] = customer.name.split(' ');
  // A callback is the agent calling the customer back: the customer's leg is outbound.
  const direction = media === 'callback' ? 'outbound' : 'inbound';
  const p = participant(rng, { purpose: 'customer', state: 'connected', direction, name: customer.name });
  let side: CustomerSide = { participant: p };
  switch (media) {
    case 'call': {
      const anonymous = input.address === undefined && rng.chance(CUSTOMER_SHARES.anonymousCall);
      const number = input.address ?? (anonymous ? 'sip:anonymous@anonymous.invalid' : customer.phone);
      p.address = number;
      p.ani = number;
      p.dnis = IVR_NUMBER;
      p.name = anonymous ? 'Anonymous' : rng.chance(CUSTOMER_SHARES.numberAsName) ? e164(number) : customer.name;
      if (!anonymous && customer.externalContactId !== undefined) p.externalContactId = customer.externalContactId;
      break;
    }
    case 'callback': {
      const none = input.address === undefined && rng.chance(CUSTOMER_SHARES.callbackWithoutNumber);
      p.callback = {
        numbers: [none ? '' : e164(input.address ?? customer.phone)],
        userName: customer.name,
        scriptId: CALLBACK_SCRIPT_ID,
        scheduledTime: '',
      };
      p.leg.initialState = 'scheduled';
      if (customer.externalContactId !== undefined) p.externalContactId = customer.externalContactId;
      break;
    }
    case 'chat': {
      const v2 = rng.chance(CUSTOMER_SHARES.webChatV2);
      if (input.address !== undefined) p.address = input.address;
      else if (!v2) p.address = `${rng.uuid().replace(/-/g, '')}@${ORG_GUEST_DOMAIN}`;
      const keys = rng.pick(CHAT_FORM_SPELLINGS);
      Object.assign(p.attributes, {
        [keys.first]: first,
        [keys.last]: last,
        ...(rng.chance(CUSTOMER_SHARES.chatFormEmail) && { [keys.email]: customer.email }),
        ...(rng.chance(CUSTOMER_SHARES.chatFormPhone) && { [keys.phone]: e164(customer.phone) }),
        'context._genesys_source': 'web',
        'context._genesys_url': 'https://www.example.com/support',
        'context._genesys_pageTitle': 'Support',
        'context._genesys_referrer': 'https://www.example.com/',
      });
      p.name = `${first} ${last}`;
      side = { participant: p, ...(v2 && { chatProvider: WEB_CHAT_V2_PROVIDER }) };
      break;
    }
    case 'message': {
      const messageType = rng.pick(MESSAGE_TYPES);
      if (messageType === 'webmessaging') {
        // Web messaging guests carry no phone; a messenger may pass custom attributes.
        if (input.address !== undefined) p.address = input.address;
        if (rng.chance(CUSTOMER_SHARES.webMessagingEmail)) p.attributes['customer.email'] = customer.email;
        p.name = 'Guest';
      } else {
        p.address = input.address ?? customer.phone;
        p.name = e164(p.address);
        if (customer.externalContactId !== undefined) p.externalContactId = customer.externalContactId;
      }
      side = { participant: p, messageType };
      break;
    }
    case 'email':
      p.address = input.address ?? customer.email;
      if (customer.externalContactId !== undefined) p.externalContactId = customer.externalContactId;
      break;
  }
  Object.assign(p.attributes, input.presetAttributes);
  return side;
}
