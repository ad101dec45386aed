import { describe, expect, it } from 'vitest';
import { participantLine } from '../../../src/cli/operator/inspect-run.js';
import { identityLines } from '../../../src/cli/operator/inspect-identity.js';
import { customerOf } from '../../../src/enrich/detect.js';
import { resolveIdentity } from '../../../src/enrich/identity.js';
import type { ConversationView, ParticipantView } from '../../../src/enrich/snapshot.js';

const p = (id: string, purpose: string, extra: Partial<ParticipantView> = {}): ParticipantView => ({ id, purpose, attributes: {}, ...extra });

describe('customerOf', () => {
  it.each<[ParticipantView[], string | undefined]>([
    [[p('a', 'agent'), p('c', 'customer'), p('e', 'external')], 'c'],
    [[p('a', 'agent'), p('e', 'external')], 'e'],
    [[p('a', 'agent'), p('i', 'ivr')], undefined],
  ])('%#', (participants, id) => {
    const view: ConversationView = { id: 'conv', participants };
    expect(customerOf(view)?.id).toBe(id);
  });
});

describe('participantLine', () => {
  it('shows role, ids, state, queue and the marker, never the address or name', () => {
    const customer = p('c1', 'customer', { address: 'tel:+4915112345678', state: 'connected', media: 'call', attributes: { 'crm.enricher.traceId': 't', other: 'x' } });
    const line = participantLine(customer, (id) => id, 'crm.enricher.traceId', 'c1');
    expect(line).toBe('customer  c1  state connected  media call  2 attributes incl. the marker  <- target');
    expect(line).not.toContain('4915112345678');
    const agent = p('a1', 'agent', { queueId: 'q1', state: 'alerting', media: 'chat' });
    expect(participantLine(agent, (id) => `"Q" (${id})`, 'm', 'c1')).toBe('agent     a1  state alerting  media chat  queue "Q" (q1)');
  });
});

describe('customer selection shared with detection', () => {
  it('picks the live customer over an ended one, as detection does', () => {
    const view: ConversationView = {
      id: 'conv',
      participants: [p('old', 'customer', { state: 'disconnected', media: 'call' }), p('live', 'customer', { state: 'connected', media: 'call' })],
    };
    expect(customerOf(view)?.id).toBe('live');
  });
});

describe('identityLines', () => {
  it('names the source of each key field by field, never a value', () => {
    const customer = p('c', 'customer', { callbackNumber: '+4915199887766', externalContactId: 'ec-1', attributes: { 'context.email': 'ann@example.com' } });
    const identity = resolveIdentity(customer, 'callback', ['callbackNumbers', 'attr:context.email', 'externalContact']);
    const lines = identityLines(identity, 'callback');
    expect(lines).toEqual([
      'phone             from callbackNumbers (value not shown)',
      'email             from attr:context.email (value not shown)',
      'externalContactId from externalContact (value not shown)',
      'sources tried for callback: callbackNumbers, attr:context.email, externalContact',
    ]);
    expect(lines.join('\n')).not.toMatch(/4915199887766|ann@|ec-1/);
  });

  it('says none for a kind no source gave', () => {
    const identity = resolveIdentity(p('c', 'customer', { address: '5ee3@guest.example.com' }), 'chat', ['address']);
    expect(identityLines(identity, 'chat')).toEqual(['phone             none', 'email             none', 'externalContactId none', 'sources tried for chat: address']);
  });
});
