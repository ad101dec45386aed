import { describe, expect, it } from 'vitest';
import { emailOf, externalContactIdOf, lookupValue, phoneOf } from '../../../src/enrich/customer-keys.js';
import { checkIdentitySource, findAttribute, IDENTITY_DEFAULTS, resolveIdentity, type IdentitySource } from '../../../src/enrich/identity.js';
import type { MediaType, ParticipantView } from '../../../src/enrich/snapshot.js';

describe('phoneOf', () => {
  it.each<[string, string | undefined]>([
    ['tel:+4915112345678', '+4915112345678'],
    ['TEL:+49 151 1234-5678', '+4915112345678'],
    ['tel:+4930123456;ext=12', '+4930123456'],
    ['sip:+4930123456@10.1.2.3;user=phone', '+4930123456'],
    ['sips:+4930123456@pbx.example.com', '+4930123456'],
    ['+44 (20) 7946.0958', '+442079460958'],
    ['0044 20 7946 0958', '+442079460958'],
    ['4915112345678', undefined],
    ['030123456', undefined],
    ['+0123456789', undefined],
    ['+1234567890123456', undefined],
    ['sip:agent@pbx.example.com', undefined],
    ['mailto:a@example.com', undefined],
    ['a@example.com', undefined],
    ['..', undefined],
    ['.', undefined],
    ['%2e%2e', undefined],
    ['+49/../1', undefined],
    ['', undefined],
    ['anonymous', undefined],
  ])('%j -> %j', (raw, expected) => {
    expect(phoneOf(raw)).toBe(expected);
  });
});

describe('emailOf', () => {
  it.each<[string, string | undefined]>([
    ['ann@example.com', 'ann@example.com'],
    [' Ann.Lee+crm@Example.CO.uk ', 'Ann.Lee+crm@Example.CO.uk'],
    ['mailto:ann@example.com', 'ann@example.com'],
    ['mailto:ann@example.com?subject=hi', 'ann@example.com'],
    ['5ee38185d1a0@guest.example.com', undefined],
    ['ann@localhost', undefined],
    ['@example.com', undefined],
    ['ann@', undefined],
    ['a..b@example.com', undefined],
    ['.a@example.com', undefined],
    ['a/b@example.com', undefined],
    ['a\\b@example.com', undefined],
    ['..@example.com', undefined],
    ['ann@exa_mple.com', undefined],
    [`${'a'.repeat(65)}@example.com`, undefined],
    [`a@${'b'.repeat(250)}.com`, undefined],
    ['..', undefined],
  ])('%j -> %j', (raw, expected) => {
    expect(emailOf(raw)).toBe(expected);
  });
});

describe('externalContactIdOf and lookupValue', () => {
  it.each<[string, string | undefined]>([
    ['8f14e45f-ceea-467a-9c3b-2b6d4d7c1a55', '8f14e45f-ceea-467a-9c3b-2b6d4d7c1a55'],
    ['C123', 'C123'],
    ['..', undefined],
    ['a/b', undefined],
    ['-x', undefined],
    ['', undefined],
    ['x'.repeat(129), undefined],
  ])('%j -> %j', (raw, expected) => {
    expect(externalContactIdOf(raw)).toBe(expected);
  });

  it('classifies a value by what it validates as, or as the kind asked for', () => {
    expect(lookupValue('tel:+4915112345678')).toEqual({ phone: '+4915112345678' });
    expect(lookupValue('ann@example.com')).toEqual({ email: 'ann@example.com' });
    expect(lookupValue('Ann')).toEqual({});
    expect(lookupValue('+4915112345678', 'email')).toEqual({});
    expect(lookupValue('ann@example.com', 'phone')).toEqual({});
    expect(lookupValue('C123', 'externalContactId')).toEqual({ externalContactId: 'C123' });
  });
});

describe('findAttribute', () => {
  it('prefers the exact name, else matches ignoring case, never a prototype member', () => {
    expect(findAttribute({ 'context.Email': 'a', 'context.email': 'b' }, 'context.email')).toBe('b');
    expect(findAttribute({ 'context.Email': 'a' }, 'CONTEXT.EMAIL')).toBe('a');
    expect(findAttribute({}, 'toString')).toBeUndefined();
    expect(findAttribute({ other: 'x' }, 'context.email')).toBeUndefined();
  });
});

describe('checkIdentitySource', () => {
  it.each<[string, RegExp | undefined]>([
    ['ani', undefined],
    ['address', undefined],
    ['callbackNumbers', undefined],
    ['externalContact', undefined],
    ['attr:context.email', undefined],
    ['attr:', /attribute name/],
    ['attr:a b', /attribute name/],
    ['phone', /not a known source/],
    ['ANI', /not a known source/],
  ])('%j', (name, problem) => {
    const result = checkIdentitySource(name);
    if (problem === undefined) expect(result).toBeUndefined();
    else expect(result).toMatch(problem);
  });
});

const person = (extra: Partial<ParticipantView>): ParticipantView => ({ id: 'p', purpose: 'customer', attributes: {}, ...extra });

describe('resolveIdentity', () => {
  it.each<[string, Partial<ParticipantView>, MediaType, readonly IdentitySource[] | undefined, Record<string, string>, Record<string, string>]>([
    ['call: ani before address', { ani: 'tel:+4911111111', address: 'tel:+4922222222' }, 'call', undefined, { phone: '+4911111111' }, { phone: 'ani' }],
    ['call: bad ani, address next', { ani: 'anonymous', address: 'tel:+4922222222' }, 'call', undefined, { phone: '+4922222222' }, { phone: 'address' }],
    ['call: ani never gives an e-mail', { ani: 'a@example.com' }, 'call', ['ani'], {}, {}],
    ['callback: number before ani', { callbackNumber: '+4933333333', ani: 'tel:+4911111111' }, 'callback', undefined, { phone: '+4933333333' }, { phone: 'callbackNumbers' }],
    ['callback: dotted number refused', { callbackNumber: '..' }, 'callback', undefined, {}, {}],
    ['email: sender', { address: 'a@example.com', externalContactId: 'ec-1' }, 'email', undefined, { email: 'a@example.com', externalContactId: 'ec-1' }, { email: 'address', externalContactId: 'externalContact' }],
    ['chat: address never read, even when listed', { address: 'a@example.com' }, 'chat', ['address'], {}, {}],
    ['message: sms address', { address: 'tel:+4944444444', messageType: 'SMS' }, 'message', undefined, { phone: '+4944444444' }, { phone: 'address' }],
    ['message: webmessaging ani and address ignored', { address: '+4944444444', ani: '+4944444444', messageType: 'webmessaging' }, 'message', ['ani', 'address'], {}, {}],
    ['message: sms address that is an e-mail', { address: 'a@example.com', messageType: 'sms' }, 'message', undefined, {}, {}],
    ['attr: the first valid value per kind wins', { attributes: { a: 'x@example.com', b: 'y@example.com', c: '+4955555555' } }, 'chat', ['attr:a', 'attr:b', 'attr:c'], { email: 'x@example.com', phone: '+4955555555' }, { email: 'attr:a', phone: 'attr:c' }],
    ['attr: dots, encoded dots, blanks and over-long values give nothing', { attributes: { a: '..', b: '%2e%2e', c: '', d: `${'x'.repeat(300)}@example.com` } }, 'chat', ['attr:a', 'attr:b', 'attr:c', 'attr:d'], {}, {}],
    ['external contact id that is not an id', { externalContactId: '../x' }, 'call', undefined, {}, {}],
  ])('%s', (_name, extra, media, sources, keys, keySources) => {
    const list = sources ?? IDENTITY_DEFAULTS[media];
    const r = resolveIdentity(person(extra), media, list);
    expect(r.keys).toEqual(keys);
    expect(r.keySources).toEqual(keySources);
    expect(r.tried).toEqual(list);
  });
});
