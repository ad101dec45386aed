// Writing participant attributes through the official SDK: accepted, refused, merged, and read
// back in the next snapshot on the socket and through GET /api/v2/conversations/{id}.
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../helpers/wait-for.js';
import type { Sandbox } from '../../../src/sandbox/index.js';
import type { SandboxConversation } from '../../../src/sandbox/org/conversation.js';
import { extended, framesOf, login, queueTopic, start, subscribedSocket, type Apis, type TestSocket } from './harness.js';

let sandbox: Sandbox | undefined;
const sockets: TestSocket[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.ws.terminate();
  sandbox?.traffic.stop();
  await sandbox?.stop();
  sandbox = undefined;
});

interface Live {
  readonly sb: Sandbox;
  readonly api: Apis;
  readonly conv: SandboxConversation;
  readonly customerId: string;
  readonly queueId: string;
}

/** A call stepped (traffic paused) until its agent has connected, so it stays live for the test. */
async function liveCall(): Promise<Live> {
  const sb = await start();
  sandbox = sb;
  const queueId = sb.options.queues[0]!.id;
  sb.traffic.pause();
  const conv = await sb.traffic.startOne({ media: 'call', script: 'connect', queueId, seed: 5 });
  while (!sb.org.connected.has(conv.id)) expect(sb.traffic.step(conv.id)).toBe(true);
  const customerId = conv.participants.find((p) => p.purpose === 'customer')!.id;
  return { sb, api: await login(sb.port, { extended: true }), conv, customerId, queueId };
}

describe('PATCH participant attributes', () => {
  it('accepts string values with 202 and records the write', async () => {
    const { sb, api, conv, customerId } = await liveCall();
    const answer = await extended(api.conversations.patchConversationParticipantAttributes(conv.id, customerId, { attributes: { 'crm.tier': 'gold' } }));
    expect(answer.status).toBe(202);
    expect(sb.org.writes).toMatchObject([{ conversationId: conv.id, participantId: customerId, purpose: 'customer', attributes: { 'crm.tier': 'gold' }, clientId: 'sandbox-client' }]);
    expect(sb.calls.at(-1)).toMatchObject({ method: 'PATCH', endpoint: '/api/v2/conversations/{conversationId}/participants/{participantId}/attributes', status: 202 });
  });

  it.each([
    ['a number', { n: 42 }],
    ['a boolean', { vip: true }],
    ['null', { gone: null }],
    ['an object', { nested: { a: '1' } }],
  ])('answers 400 for %s as a value and writes nothing', async (_what, attributes) => {
    const { sb, api, conv, customerId } = await liveCall();
    const answer = await extended<{ code?: string; status?: number }>(
      api.conversations.patchConversationParticipantAttributes(conv.id, customerId, { attributes: { ok: 'x', ...attributes } as never }),
    );
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ status: 400, code: 'bad.request' });
    expect(sb.org.writes).toEqual([]);
    expect(conv.participants.find((p) => p.id === customerId)?.attributes.ok).toBeUndefined();
  });

  it('answers 404 for an unknown conversation and an unknown participant', async () => {
    const { sb, api, conv } = await liveCall();
    const unknownConversation = await extended(api.conversations.patchConversationParticipantAttributes('7d1e8c40-0000-4000-8000-000000000000', 'p', { attributes: { a: 'b' } }));
    expect(unknownConversation.status).toBe(404);
    const unknownParticipant = await extended(api.conversations.patchConversationParticipantAttributes(conv.id, 'no-such-participant', { attributes: { a: 'b' } }));
    expect(unknownParticipant.status).toBe(404);
    expect(sb.org.writes).toEqual([]);
  });

  it('answers 404 once the conversation has ended, though GET still shows it', async () => {
    const { sb, api, conv, customerId } = await liveCall();
    while (sb.traffic.step(conv.id)) { /* play to the end */ }
    expect(conv.endedAt).toBeDefined();
    const answer = await extended(api.conversations.patchConversationParticipantAttributes(conv.id, customerId, { attributes: { late: 'yes' } }));
    expect(answer.status).toBe(404);
    const read = await extended<{ endTime?: string }>(api.conversations.getConversation(conv.id));
    expect(read.status).toBe(200);
    expect(read.body.endTime).toEqual(expect.any(String));
    expect(sb.org.writes).toEqual([]);
  });

  it('merges keys across PATCHes (a later value replaces an earlier one of the same key)', async () => {
    const { api, conv, customerId } = await liveCall();
    const patch = (attributes: Record<string, string>) => extended(api.conversations.patchConversationParticipantAttributes(conv.id, customerId, { attributes }));
    expect((await patch({ first: '1', shared: 'old' })).status).toBe(202);
    expect((await patch({ second: '2', shared: 'new' })).status).toBe(202);
    const read = await extended<{ participants: { id: string; attributes?: Record<string, string> }[] }>(api.conversations.getConversation(conv.id));
    expect(read.body.participants.find((p) => p.id === customerId)?.attributes).toMatchObject({ first: '1', second: '2', shared: 'new' });
  });

  it('sends the attributes in the next snapshot on the queue feeds, and GET shows them', async () => {
    const { sb, api, conv, customerId, queueId } = await liveCall();
    const socket = await subscribedSocket(api, [queueTopic(queueId), queueTopic(queueId, 'calls')]);
    sockets.push(socket);
    const attributes = { 'crm.accountId': 'A-1001', 'crm.tier': 'silver' };
    expect((await extended(api.conversations.patchConversationParticipantAttributes(conv.id, customerId, { attributes }))).status).toBe(202);

    // The PATCH itself republishes the conversation: the very next snapshot on each feed has them.
    for (const topic of [queueTopic(queueId), queueTopic(queueId, 'calls')]) {
      const frame = await waitFor(() => framesOf(socket, topic, conv.id)[0], { what: `a snapshot on ${topic}` });
      const customer = (frame.eventBody.participants as { id: string; attributes: Record<string, string> }[]).find((p) => p.id === customerId);
      expect(customer?.attributes).toMatchObject(attributes);
    }
    // Later snapshots keep them (here: the end of the call).
    while (sb.traffic.step(conv.id)) { /* play to the end */ }
    const last = await waitFor(() => {
      const frames = framesOf(socket, queueTopic(queueId), conv.id);
      return frames.length > 1 ? frames.at(-1) : undefined;
    });
    const customer = (last.eventBody.participants as { id: string; attributes: Record<string, string> }[]).find((p) => p.id === customerId);
    expect(customer?.attributes).toMatchObject(attributes);

    const read = await extended<{ participants: { id: string; attributes?: Record<string, string> }[] }>(api.conversations.getConversation(conv.id));
    expect(read.body.participants.find((p) => p.id === customerId)?.attributes).toMatchObject(attributes);
  });

  it('accepts the media-specific twin of the endpoint', async () => {
    const { sb, api, conv, customerId } = await liveCall();
    const answer = await extended(api.conversations.patchConversationsCallParticipantAttributes(conv.id, customerId, { attributes: { via: 'calls' } }));
    expect(answer.status).toBe(202);
    expect(sb.org.writes.map((w) => w.attributes)).toEqual([{ via: 'calls' }]);
  });
});
