// The conversation activity query (docs/architecture.md: catching up) through the official SDK.
import type { Models } from 'purecloud-platform-client-v2';
import { afterEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../../src/sandbox/index.js';
import { activityLimit } from '../../../src/sandbox/api/analytics.js';
import type { SandboxConversation, SandboxMedia } from '../../../src/sandbox/org/conversation.js';
import { extended, login, start, type Apis } from './harness.js';

const DEFAULT_LIMIT = activityLimit.value;
let sandbox: Sandbox | undefined;

afterEach(async () => {
  activityLimit.value = DEFAULT_LIMIT;
  sandbox?.traffic.stop();
  await sandbox?.stop();
  sandbox = undefined;
});

/** The activity query body the daemon sends for its catch-up. */
function activityQuery(queueIds: readonly string[]): Models.ConversationActivityQuery {
  return {
    metrics: [
      { metric: 'oInteracting', details: true },
      { metric: 'oWaiting', details: true },
    ],
    groupBy: ['queueId'],
    filter: { type: 'or', predicates: queueIds.map((value) => ({ type: 'dimension', dimension: 'queueId', operator: 'matches', value })) },
  };
}

type Milestone = 'queued' | 'alerting' | 'connected' | 'ended';

/** Starts one conversation (traffic paused) and steps it to `milestone`. */
async function conversationAt(sb: Sandbox, queueId: string, media: SandboxMedia, milestone: Milestone): Promise<SandboxConversation> {
  const conv = await sb.traffic.startOne({ media, script: 'connect', queueId });
  const reached = (): boolean => {
    switch (milestone) {
      case 'queued':
        return conv.queueIds.length > 0;
      case 'alerting':
        return conv.participants.some((p) => p.purpose === 'agent');
      case 'connected':
        return sb.org.connected.has(conv.id);
      case 'ended':
        return conv.endedAt !== undefined;
    }
  };
  while (!reached()) expect(sb.traffic.step(conv.id)).toBe(true);
  return conv;
}

async function setup(): Promise<{ sb: Sandbox; api: Apis; q1: string; q2: string; q3: string }> {
  const sb = await start();
  sandbox = sb;
  sb.traffic.pause();
  const [q1, q2, q3] = sb.options.queues.map((q) => q.id) as [string, string, string];
  return { sb, api: await login(sb.port), q1, q2, q3 };
}

describe('POST /api/v2/analytics/conversations/activity/query', () => {
  it('lists live conversations per queue with metric oWaiting or oInteracting', async () => {
    const { sb, api, q1, q2, q3 } = await setup();
    const waiting = await conversationAt(sb, q1, 'call', 'queued');
    const alerting = await conversationAt(sb, q1, 'chat', 'alerting');
    const talking = await conversationAt(sb, q1, 'message', 'connected');
    const elsewhere = await conversationAt(sb, q2, 'email', 'connected');
    await conversationAt(sb, q1, 'call', 'ended');
    await conversationAt(sb, q3, 'call', 'connected');

    const answer = await api.analytics.postAnalyticsConversationsActivityQuery(activityQuery([q1, q2]));
    expect(answer.entityIdDimension).toBe('conversationId');
    expect(answer.results?.map((r) => r.group)).toEqual([{ queueId: q1 }, { queueId: q2 }]);

    const byQueue = (queueId: string) => answer.results?.find((r) => r.group?.queueId === queueId);
    const first = byQueue(q1)!;
    expect(first.truncated).toBeUndefined();
    const entities = (first.entities ?? []).map((e) => ({ id: e.conversationId, metric: e.metric, mediaType: e.mediaType, queueId: e.queueId }));
    expect(entities.sort((a, b) => a.id!.localeCompare(b.id!))).toEqual(
      [
        { id: waiting.id, metric: 'oWaiting', mediaType: 'call', queueId: q1 },
        { id: alerting.id, metric: 'oWaiting', mediaType: 'chat', queueId: q1 },
        { id: talking.id, metric: 'oInteracting', mediaType: 'message', queueId: q1 },
      ].sort((a, b) => a.id.localeCompare(b.id)),
    );
    // The agent on an interacting conversation is named; waiting ones have none.
    const agentOfTalking = talking.participants.find((p) => p.purpose === 'agent')!.userId;
    expect(first.entities?.find((e) => e.conversationId === talking.id)?.userId).toBe(agentOfTalking);
    expect(first.entities?.find((e) => e.conversationId === waiting.id)?.userId).toBeUndefined();
    expect(first.data?.map((d) => [d.metric, d.count]).sort()).toEqual([['oInteracting', 1], ['oWaiting', 2]]);

    expect(byQueue(q2)?.entities?.map((e) => [e.conversationId, e.metric])).toEqual([[elsewhere.id, 'oInteracting']]);
  });

  it('asks only for the metrics requested', async () => {
    const { sb, api, q1 } = await setup();
    await conversationAt(sb, q1, 'call', 'queued');
    const talking = await conversationAt(sb, q1, 'call', 'connected');
    const query = { ...activityQuery([q1]), metrics: [{ metric: 'oInteracting', details: true }] };
    const answer = await api.analytics.postAnalyticsConversationsActivityQuery(query);
    expect(answer.results?.[0]?.entities?.map((e) => e.conversationId)).toEqual([talking.id]);
  });

  it('marks a result truncated when it was cut, and still counts everything', async () => {
    const { sb, api, q1, q2 } = await setup();
    for (let i = 0; i < 3; i++) await conversationAt(sb, q1, 'call', 'connected');
    await conversationAt(sb, q2, 'call', 'connected');
    activityLimit.value = 2;
    const answer = await api.analytics.postAnalyticsConversationsActivityQuery(activityQuery([q1, q2]));
    const [first, second] = answer.results ?? [];
    expect(first).toMatchObject({ group: { queueId: q1 }, truncated: true });
    expect(first?.entities).toHaveLength(2);
    expect(first?.data).toEqual([{ metric: 'oInteracting', count: 3 }]);
    expect(second?.truncated).toBeUndefined();
    expect(second?.entities).toHaveLength(1);
  });

  it.each([
    ['`name` instead of `metric`', (q: string) => ({ ...activityQuery([q]), metrics: [{ name: 'oWaiting', details: true }] })],
    ['no metrics', (q: string) => ({ ...activityQuery([q]), metrics: [] })],
    ['no filter', (q: string) => ({ ...activityQuery([q]), filter: undefined })],
  ])('answers 400 for a body with %s', async (_what, body) => {
    const sb = await start();
    sandbox = sb;
    const api = await login(sb.port, { extended: true });
    const answer = await extended<{ code?: string }>(api.analytics.postAnalyticsConversationsActivityQuery(body(sb.options.queues[0]!.id) as never));
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('bad.request');
  });
});
