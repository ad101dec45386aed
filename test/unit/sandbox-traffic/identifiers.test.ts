// The pure parts of the truth API and the fake CRM's directory: identifier normalisation, which
// payload values identify a customer per medium, the directory's precedence and bound, and the
// fault rule check.
import { describe, expect, it } from 'vitest';
import { CustomerDirectory, normalizeIdentifier, type IdentifierKind } from '../../../src/sandbox/crm/directory.js';
import { checkRule, FaultInjector, type FaultRule } from '../../../src/sandbox/http/faults.js';
import type { MessageType, SandboxConversation, SandboxMedia, SandboxParticipant } from '../../../src/sandbox/org/conversation.js';
import { customerIdentifiers, TruthLog } from '../../../src/sandbox/org/truth.js';

describe('normalizeIdentifier', () => {
  it.each<[IdentifierKind, string, string | undefined]>([
    ['phone', 'tel:+4915112345678', '+4915112345678'],
    ['phone', 'sip:+4930123456@ivr.example.com', '+4930123456'],
    ['phone', '+44 7700 900-123', '+447700900123'],
    ['phone', '4915112345678', undefined], // no country prefix: not E.164
    ['phone', 'sip:anonymous@anonymous.invalid', undefined],
    ['phone', '', undefined],
    ['email', 'mailto:Anna.Albers@Example.com', 'anna.albers@example.com'],
    ['email', 'not-an-address', undefined],
    ['externalContactId', ' ext-1 ', 'ext-1'],
    ['externalContactId', '   ', undefined],
  ])('%s %j -> %j', (kind, raw, expected) => {
    expect(normalizeIdentifier(kind, raw)).toBe(expected);
  });
});

function conv(media: SandboxMedia, customer: Partial<SandboxParticipant>, extra: { messageType?: MessageType } = {}): SandboxConversation {
  const p: SandboxParticipant = {
    id: 'c',
    purpose: 'customer',
    startTime: '',
    attributes: {},
    leg: { id: 'l', state: 'connected', initialState: 'connected', direction: 'inbound', held: false },
    ...customer,
  };
  return { id: 'x', media, participants: [p], startedAt: 0, queueIds: [], recordingState: 'none', ...extra };
}

describe('customerIdentifiers', () => {
  it.each<[string, SandboxConversation, string[]]>([
    ['a call: ani and address', conv('call', { ani: 'tel:+4915112345678', address: 'tel:+4915112345678' }), ['ani:+4915112345678', 'address:+4915112345678']],
    ['an anonymous call: nothing', conv('call', { ani: 'sip:anonymous@anonymous.invalid', address: 'sip:anonymous@anonymous.invalid' }), []],
    ['a call with an external contact', conv('call', { address: 'tel:+33612345678', externalContactId: 'ext-9' }), ['address:+33612345678', 'externalContact:ext-9']],
    ['a callback: the first non-empty number', conv('callback', { callback: { numbers: ['', '+4930123456'], scriptId: 's', scheduledTime: '' } }), ['callbackNumbers:+4930123456']],
    ['a callback without a number', conv('callback', { callback: { numbers: [''], scriptId: 's', scheduledTime: '' } }), []],
    ['a chat guest id is no e-mail', conv('chat', { address: '5ee38185aa@guest.example.com' }), []],
    [
      'chat-form attributes in any case',
      conv('chat', { attributes: { 'context.Email': 'A@Example.com', 'context.phonenumber': '+4915112345678', 'context.firstName': 'Anna' } }),
      ['attr:context.Email:a@example.com', 'attr:context.phonenumber:+4915112345678'],
    ],
    ['web messaging: address ignored, custom attribute used', conv('message', { address: 'guest-1', attributes: { 'customer.email': 'b@example.org' } }, { messageType: 'webmessaging' }), ['attr:customer.email:b@example.org']],
    ['sms: the phone address', conv('message', { address: 'tel:+4915112345678' }, { messageType: 'sms' }), ['address:+4915112345678']],
    ['e-mail: the sender', conv('email', { address: 'Sender@Example.net' }), ['address:sender@example.net']],
    ['forged enricher attributes identify nobody', conv('message', { attributes: { 'crm.enricher.traceId': 'x', 'crm.tier': 'gold' } }, { messageType: 'webmessaging' }), []],
  ])('%s', (_what, c, expected) => {
    expect(customerIdentifiers(c).map((i) => `${i.source}:${i.value}`)).toEqual(expected);
  });
});

describe('CustomerDirectory', () => {
  it('lets the first non-empty of externalContactId, phone, email decide, and forgets the oldest past its bound', () => {
    const d = new CustomerDirectory(2);
    d.register('A', { phone: 'tel:+4915112345678', email: 'a@example.com', externalContactId: 'ea' });
    d.register('B', { phone: '+33612345678', email: 'b@example.com' });
    expect(d.find({ externalContactId: 'ea', phone: '+33612345678' })).toBe('A');
    expect(d.find({ phone: '+33612345678', email: 'a@example.com' })).toBe('B');
    expect(d.find({ phone: '', email: 'A@example.com' })).toBe('A');
    expect(d.find({ externalContactId: 'nobody', email: 'a@example.com' })).toBeUndefined();
    expect(d.find({})).toBeUndefined();
    d.register('C', { email: 'c@example.com' });
    expect(d.size).toBe(2);
    expect(d.find({ email: 'a@example.com' })).toBeUndefined();
    expect(d.find({ email: 'b@example.com' })).toBe('B');
  });
});

describe('TruthLog', () => {
  it('keeps the newest entries up to its bound', () => {
    const log = new TruthLog(2);
    for (const id of ['1', '2', '3']) log.started({ ...conv('call', {}), id });
    expect(log.all().map((t) => t.id)).toEqual(['2', '3']);
  });
});

describe('fault rules', () => {
  it.each<[string, FaultRule]>([
    ['no endpoint', { endpoint: '', status: 500 }],
    ['a status rule without a status', { endpoint: '*' }],
    ['a status outside 400..599', { endpoint: '*', status: 200 }],
    ['a late rule without delayMs', { endpoint: '*', effect: 'late' }],
    ['an unknown effect', { endpoint: '*', effect: 'explode' as never }],
    ['an unknown phase', { endpoint: '*', status: 500, phase: 'during' as never }],
    ['a share above 1', { endpoint: '*', status: 500, share: 2 }],
    ['a fractional count', { endpoint: '*', status: 500, count: 1.5 }],
  ])('refuses %s', (_what, rule) => {
    expect(() => checkRule(rule)).toThrow(expect.objectContaining({ code: 'sandbox.fault-rule-invalid' }));
  });

  it('fills in the defaults: status effect, before phase', () => {
    expect(checkRule({ endpoint: '*', status: 503 })).toMatchObject({ effect: 'status', phase: 'before' });
  });

  it('fires a counted rule only in its phase and only count times', () => {
    const f = new FaultInjector(() => 0, () => 1_000);
    f.add({ endpoint: '/x', phase: 'after', effect: 'reset', count: 2 });
    expect(f.strike('before', 'GET', '/x')).toBeUndefined();
    expect(f.strike('after', 'GET', '/y')).toBeUndefined();
    expect(f.strike('after', 'GET', '/x')).toEqual({ phase: 'after', effect: 'reset' });
    expect(f.strike('after', 'GET', '/x')).toEqual({ phase: 'after', effect: 'reset' });
    expect(f.strike('after', 'GET', '/x')).toBeUndefined();
    expect(f.counts()).toEqual({ 'after/reset': 2 });
  });

  it('applies a slow spell only inside its window', () => {
    let now = 1_000;
    const f = new FaultInjector(Math.random, () => now);
    f.addSlowSpell({ endpoint: '/x', latencyMs: 700, startAt: 2_000, durationMs: 1_000 });
    expect(f.latencyFor('/x')).toBe(0);
    now = 2_500;
    expect(f.latencyFor('/x')).toBe(700);
    expect(f.latencyFor('/y')).toBe(0);
    now = 3_000;
    expect(f.latencyFor('/x')).toBe(0);
    expect(f.counts()).toEqual({ 'spell/slow': 1 });
  });
});
