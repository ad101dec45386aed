// Ended conversations through the official SDK: GET answers 200 with endTime and ended legs (generic
// and media-specific), for a bounded time and count; a PATCH on them answers 202, 400 or 404 as the
// sandbox is told (start option or control API).
import { afterEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../../src/sandbox/index.js';
import type { SandboxMedia } from '../../../src/sandbox/org/conversation.js';
import type { SandboxOptions } from '../../../src/sandbox/options.js';
import { extended, login, start, type Apis } from './harness.js';

let sandbox: Sandbox | undefined;

afterEach(async () => {
  sandbox?.traffic.stop();
  await sandbox?.stop();
  sandbox = undefined;
});

interface Ended {
  readonly sb: Sandbox;
  readonly api: Apis;
  readonly conversationId: string;
  readonly customerId: string;
}

/** One conversation of `media` played to its end (agent connected first), and an SDK client. */
async function ended(media: SandboxMedia = 'call', partial: Partial<SandboxOptions> = {}, existing?: Sandbox): Promise<Ended> {
  const sb = existing ?? (sandbox = await start(partial));
  const conv = await sb.traffic.startOne({ media, script: 'connect', queueId: sb.options.queues[0]!.id, speed: 100_000, until: 'ended' });
  expect(conv.endedAt).toBeDefined();
  const customerId = conv.participants.find((p) => p.purpose === 'customer')!.id;
  return { sb, api: await login(sb.port, { extended: true }), conversationId: conv.id, customerId };
}

interface ReadParticipant {
  readonly purpose: string;
  readonly endTime?: string;
  readonly state?: string;
  readonly calls?: { state: string }[];
}

describe('GET of an ended conversation', () => {
  it('answers 200 with endTime and ended legs on the generic resource', async () => {
    const { api, conversationId } = await ended('call');
    const read = await extended<{ endTime?: string; participants: ReadParticipant[] }>(api.conversations.getConversation(conversationId));
    expect(read.status).toBe(200);
    expect(read.body.endTime).toMatch(/^\d{4}-\d\d-\d\dT/);
    for (const p of read.body.participants) {
      expect(p.endTime).toEqual(expect.any(String));
      expect(p.calls?.[0]?.state).toBe(p.purpose === 'customer' ? 'disconnected' : 'terminated');
    }
  });

  it.each([
    ['call', 'getConversationsCall'],
    ['callback', 'getConversationsCallback'],
    ['message', 'getConversationsMessage'],
    ['email', 'getConversationsEmail'],
  ] as const)('answers 200 on the media-specific resource of a %s, 404 on another medium\'s', async (media, method) => {
    const { api, conversationId } = await ended(media);
    const read = await extended<{ id: string; participants: ReadParticipant[] }>(api.conversations[method](conversationId));
    expect(read.status).toBe(200);
    expect(read.body.id).toBe(conversationId);
    for (const p of read.body.participants) expect(p.state).toBe(p.purpose === 'customer' ? 'disconnected' : 'terminated');
    const other = media === 'call' ? api.conversations.getConversationsEmail(conversationId) : api.conversations.getConversationsCall(conversationId);
    expect((await extended(other)).status).toBe(404);
  });

  it('forgets ended conversations past maxEndedConversations, oldest first', async () => {
    const first = await ended('call', { maxEndedConversations: 1 });
    const second = await ended('call', {}, first.sb);
    expect((await extended(first.api.conversations.getConversation(first.conversationId))).status).toBe(404);
    expect((await extended(first.api.conversations.getConversation(second.conversationId))).status).toBe(200);
  });

  it('forgets ended conversations after endedRetentionMs', async () => {
    const first = await ended('call', { endedRetentionMs: 1_000 });
    first.sb.org.conversations.get(first.conversationId)!.endedAt! -= 1_500; // ended long enough ago
    await ended('call', {}, first.sb); // the next end sweeps the old ones out
    expect((await extended(first.api.conversations.getConversation(first.conversationId))).status).toBe(404);
  });
});

describe('PATCH of attributes on an ended conversation', () => {
  const patch = ({ api, conversationId, customerId }: Ended) =>
    extended<{ code?: string }>(api.conversations.patchConversationParticipantAttributes(conversationId, customerId, { attributes: { late: 'yes' } }));

  it('answers 404 by default and writes nothing', async () => {
    const e = await ended();
    expect((await patch(e)).status).toBe(404);
    expect(e.sb.org.writes).toEqual([]);
  });

  it('answers 400 when started so, and writes nothing', async () => {
    const e = await ended('call', { endedPatchStatus: 400 });
    const answer = await patch(e);
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('bad.request');
    expect(e.sb.org.writes).toEqual([]);
  });

  it('answers 202 when told so through the control API, and records the write as after the end', async () => {
    const e = await ended();
    const told = await fetch(`${e.sb.url}/sandbox/ended-patch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 202 }) });
    expect(told.status).toBe(200);
    expect((await patch(e)).status).toBe(202);
    expect(e.sb.org.writes).toMatchObject([{ conversationId: e.conversationId, attributes: { late: 'yes' }, afterEnd: true }]);
    const wrong = await fetch(`${e.sb.url}/sandbox/ended-patch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 500 }) });
    expect(wrong.status).toBe(400);
  });

  it('leaves live conversations alone: 202 and no afterEnd flag', async () => {
    const sb = (sandbox = await start({ endedPatchStatus: 400 }));
    const conv = await sb.traffic.startOne({ media: 'call', script: 'connect', queueId: sb.options.queues[0]!.id, speed: 1, until: 'started' });
    const api = await login(sb.port, { extended: true });
    const customerId = conv.participants.find((p) => p.purpose === 'customer')!.id;
    expect((await patch({ sb, api, conversationId: conv.id, customerId })).status).toBe(202);
    expect(sb.org.writes[0]).not.toHaveProperty('afterEnd');
  });
});
