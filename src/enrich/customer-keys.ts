/**
 * Lookup values, validated per kind (pure). A value that does not validate gives nothing: the CRM is
 * never asked with something that merely looks like a key, and no value can carry path syntax (a
 * phone is digits, an e-mail an address without `/`, an id letters, digits and `-`).
 */

/** The kinds of lookup key, one per CRM template placeholder (`{phone}`, `{email}`, `{externalContactId}`). */
export type LookupKind = 'phone' | 'email' | 'externalContactId';

/** Longest e-mail address (RFC 5321 path limit) and external contact id accepted. */
const MAX_EMAIL = 254;
const MAX_ID = 128;

/** Separators people and systems put into phone numbers. */
const PHONE_SEPARATORS = /[\s().-]/g;
/** E.164: a country code that does not start with 0, at most 15 digits in all. */
const E164 = /^\+[1-9]\d{6,14}$/;
const EMAIL_LOCAL = /^[A-Za-z0-9!#$%&'*+=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+=?^_`{|}~-]+)*$/;
const EMAIL_DOMAIN = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const EXTERNAL_ID = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;

function schemeOf(value: string): string | undefined {
  return /^([a-z]+):/i.exec(value)?.[1]?.toLowerCase();
}

/**
 * The E.164 number in `tel:+49 151 ...`, `sip:+4915...@host;user=phone`, `+49 (151) ...` or
 * `0049151...`; `undefined` for anything else. Numbers without the international prefix are refused:
 * their country is unknown, and a guess could find another customer.
 */
export function phoneOf(raw: string): string | undefined {
  let value = raw.trim();
  const scheme = schemeOf(value);
  if (scheme === 'tel') value = value.slice(4).split(';')[0] ?? '';
  else if (scheme === 'sip' || scheme === 'sips') value = value.slice(scheme.length + 1).split(/[@;]/)[0] ?? '';
  else if (scheme !== undefined) return undefined;
  value = value.replace(PHONE_SEPARATORS, '');
  if (value.startsWith('00')) value = `+${value.slice(2)}`;
  return E164.test(value) ? value : undefined;
}

/**
 * The e-mail address in `name@example.com` or `mailto:name@example.com`; `undefined` for anything
 * else, including the guest ids of web chat (`...@guest.<domain>`), which look like addresses but
 * reach nobody.
 */
export function emailOf(raw: string): string | undefined {
  let value = raw.trim();
  if (schemeOf(value) === 'mailto') value = value.slice(7).split('?')[0] ?? '';
  if (value.length > MAX_EMAIL) return undefined;
  const at = value.lastIndexOf('@');
  if (at <= 0) return undefined;
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  if (local.length > 64 || !EMAIL_LOCAL.test(local) || !EMAIL_DOMAIN.test(domain)) return undefined;
  return /^guest\./i.test(domain) ? undefined : value;
}

/** An external contact id (Genesys uses UUIDs; any id of letters, digits and inner `-` is accepted). */
export function externalContactIdOf(raw: string): string | undefined {
  const value = raw.trim();
  return value.length <= MAX_ID && EXTERNAL_ID.test(value) ? value : undefined;
}

/**
 * One lookup key from one value: of the given kind, or (without a kind) a phone if it validates as
 * one, else an e-mail. Empty when the value is none of these.
 */
export function lookupValue(raw: string, kind?: LookupKind): Partial<Record<LookupKind, string>> {
  if (kind === 'externalContactId') {
    const id = externalContactIdOf(raw);
    return id === undefined ? {} : { externalContactId: id };
  }
  const phone = kind === 'email' ? undefined : phoneOf(raw);
  if (phone !== undefined) return { phone };
  const email = kind === 'phone' ? undefined : emailOf(raw);
  return email === undefined ? {} : { email };
}
