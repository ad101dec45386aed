import { describe, expect, it } from 'vitest';
import { participantLine } from '../../../src/cli/operator/inspect-run.js';
import { customerOf } from '../../../src/enrich/detect.js';
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
