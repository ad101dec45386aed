/**
 * Who the customer is, per medium (pure): an ordered list of sources per media type turns a customer
 * participant into CRM lookup keys, each validated for its kind. What real payloads carry differs per
 * medium (a call has `ani`, a callback its callback numbers, a web chat guest only a guest id and
 * form data in attributes, a web messaging guest no phone at all), so the sources are configurable.
 */
import { lookupValue, phoneOf, type LookupKind } from './customer-keys.js';
import type { MediaType, ParticipantView } from './snapshot.js';

/** Fixed source names; `attr:NAME` reads a participant attribute (name matched case-insensitively). */
export const IDENTITY_SOURCE_NAMES = ['ani', 'address', 'callbackNumbers', 'externalContact'] as const;
/** One place a lookup key may come from. */
export type IdentitySource = (typeof IDENTITY_SOURCE_NAMES)[number] | `attr:${string}`;
/** The ordered sources of every medium. */
export type IdentitySources = Readonly<Record<MediaType, readonly IdentitySource[]>>;

/**
 * Defaults that fit real payloads: never a chat guest's address (a guest id, not an e-mail); the
 * first usable callback number before the dialled line; the sender of an e-mail; for messages the
 * address only when the message type is phone-based (see {@link PHONE_MESSAGE_TYPES}).
 */
export const IDENTITY_DEFAULTS = {
  call: ['ani', 'address', 'externalContact'],
  callback: ['callbackNumbers', 'ani', 'address', 'externalContact'],
  email: ['address', 'externalContact'],
  chat: ['externalContact'],
  message: ['address', 'externalContact'],
} as const satisfies IdentitySources;

/** Message types whose customer address (and ani) is a phone number. Web messaging and social channels are not. */
export const PHONE_MESSAGE_TYPES: ReadonlySet<string> = new Set(['sms', 'whatsapp']);

/** Why a source name is not valid (undefined when it is). Used by the config schema. */
export function checkIdentitySource(name: string): string | undefined {
  if ((IDENTITY_SOURCE_NAMES as readonly string[]).includes(name)) return undefined;
  if (name.startsWith('attr:')) {
    return /^attr:[^\s{}]+$/.test(name) ? undefined : 'needs an attribute name without blanks or braces after "attr:"';
  }
  return `is not a known source (${[...IDENTITY_SOURCE_NAMES, 'attr:NAME'].join(', ')})`;
}

/** The lookup keys of one customer. */
export type LookupKeys = Partial<Record<LookupKind, string>>;

/** What {@link resolveIdentity} found: the keys, the source of each, and every source it tried. */
export interface ResolvedIdentity {
  readonly keys: LookupKeys;
  readonly keySources: Partial<Record<LookupKind, IdentitySource>>;
  /** Source names in the order tried (all of them: a later source may give another kind). */
  readonly tried: readonly IdentitySource[];
}

/** An attribute by name: the exact name first, else the first whose name matches ignoring case. */
export function findAttribute(attributes: Readonly<Record<string, string>>, name: string): string | undefined {
  if (Object.hasOwn(attributes, name)) return attributes[name];
  const lower = name.toLowerCase();
  for (const key in attributes) {
    if (Object.hasOwn(attributes, key) && key.toLowerCase() === lower) return attributes[key];
  }
  return undefined;
}

/** Whether the address and ani of this customer may be read at all, and as what. */
function addressKinds(media: MediaType, messageType: string | undefined): 'none' | 'phone' | 'any' {
  if (media === 'chat') return 'none';
  if (media === 'message') return messageType !== undefined && PHONE_MESSAGE_TYPES.has(messageType.toLowerCase()) ? 'phone' : 'none';
  return 'any';
}

/** The keys one source gives (at most one per kind). */
function keysFrom(source: IdentitySource, customer: ParticipantView, media: MediaType): LookupKeys {
  switch (source) {
    case 'ani':
    case 'address': {
      const value = source === 'ani' ? customer.ani : customer.address;
      const allowed = addressKinds(media, customer.messageType);
      if (value === undefined || allowed === 'none') return {};
      if (source === 'ani' || allowed === 'phone') return keyOf('phone', phoneOf(value));
      return lookupValue(value);
    }
    case 'callbackNumbers':
      return customer.callbackNumber === undefined ? {} : keyOf('phone', phoneOf(customer.callbackNumber));
    case 'externalContact':
      return customer.externalContactId === undefined ? {} : lookupValue(customer.externalContactId, 'externalContactId');
    default: {
      const value = findAttribute(customer.attributes, source.slice('attr:'.length));
      // An attribute's kind is what it validates as: a phone or an e-mail (a chat guest id is neither).
      return value === undefined ? {} : lookupValue(value);
    }
  }
}

function keyOf(kind: LookupKind, value: string | undefined): LookupKeys {
  return value === undefined ? {} : { [kind]: value };
}

/**
 * Turns a customer into lookup keys by trying `sources` in order; the first valid value of each kind
 * (phone, e-mail, external contact id) wins and remembers its source. Values that do not validate for
 * their kind give nothing. Never throws; the result holds values only in `keys`.
 */
export function resolveIdentity(customer: ParticipantView, media: MediaType, sources: readonly IdentitySource[]): ResolvedIdentity {
  const keys: LookupKeys = {};
  const keySources: Partial<Record<LookupKind, IdentitySource>> = {};
  for (const source of sources) {
    const found = keysFrom(source, customer, media);
    for (const kind of ['phone', 'email', 'externalContactId'] as const) {
      const value = found[kind];
      if (value !== undefined && keys[kind] === undefined) {
        keys[kind] = value;
        keySources[kind] = source;
      }
    }
  }
  return { keys, keySources, tried: sources };
}
