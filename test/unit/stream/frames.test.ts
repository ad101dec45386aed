import { describe, expect, it } from 'vitest';
import { conversationIdOfText, parseFrame, type Frame } from '../../../src/stream/frames.js';

const Q = '6c2f0b8e-1d1e-4c1b-9a55-0b2a3f1c7e10';
const envelope = (topicName: unknown, eventBody?: unknown, metadata?: unknown): string =>
  JSON.stringify({ topicName, version: '2', eventBody, metadata });

describe('parseFrame', () => {
  it.each<[string, string, Frame]>([
    ['heartbeat', envelope('channel.metadata', { message: 'WebSocket Heartbeat' }), { kind: 'heartbeat' }],
    ['pong', envelope('channel.metadata', { message: 'pong' }), { kind: 'pong' }],
    ['other channel metadata', envelope('channel.metadata', { message: 'hello' }), { kind: 'unknown', topicName: 'channel.metadata' }],
    ['channel metadata without body', envelope('channel.metadata'), { kind: 'unknown', topicName: 'channel.metadata' }],
    ['socket closing', envelope('v2.system.socket_closing', {}), { kind: 'socket-closing' }],
    ['no longer subscribed', envelope('v2.system.no_longer_subscribed.streaming-0-abc', {}), { kind: 'no-longer-subscribed', channelId: 'streaming-0-abc' }],
    ['no longer subscribed without id', envelope('v2.system.no_longer_subscribed.', {}), { kind: 'unknown', topicName: 'v2.system.no_longer_subscribed.' }],
    ['token revoked', envelope('v2.system.token_revoked.client-1', {}), { kind: 'token-revoked' }],
    ['result 404 (channel or token gone)', '{"result":"404"}', { kind: 'channel-gone', result: '404' }],
    ['result as a number', '{"result":404}', { kind: 'channel-gone', result: '404' }],
    ['result with a message', '{"result":"401","message":"token expired"}', { kind: 'channel-gone', result: '401' }],
    ['result that is not a short code', '{"result":"<script> and more"}', { kind: 'channel-gone', result: 'other' }],
    ['result beside a topicName is an envelope', '{"topicName":"v2.x","result":"404"}', { kind: 'unknown', topicName: 'v2.x' }],
    [
      'generic queue conversation',
      envelope(`v2.routing.queues.${Q}.conversations`, { id: 'c1', participants: [] }, { CorrelationId: 'corr-1' }),
      { kind: 'conversation', queueId: Q, media: undefined, body: { id: 'c1', participants: [] }, correlationId: 'corr-1' },
    ],
    ...(['calls', 'chats', 'messages', 'emails', 'callbacks'] as const).map((media): [string, string, Frame] => [
      `media-specific ${media}`,
      envelope(`v2.routing.queues.${Q}.conversations.${media}`, { id: 'c1' }),
      { kind: 'conversation', queueId: Q, media, body: { id: 'c1' }, correlationId: undefined },
    ]),
    ['unknown media suffix', envelope(`v2.routing.queues.${Q}.conversations.videos`, {}), { kind: 'unknown', topicName: `v2.routing.queues.${Q}.conversations.videos` }],
    ['media suffix without dot', envelope(`v2.routing.queues.${Q}.conversationscalls`, {}), { kind: 'unknown', topicName: `v2.routing.queues.${Q}.conversationscalls` }],
    ['extra segment', envelope(`v2.routing.queues.${Q}.conversations.calls.x`, {}), { kind: 'unknown', topicName: `v2.routing.queues.${Q}.conversations.calls.x` }],
    ['other queue topic', envelope(`v2.routing.queues.${Q}.users`, {}), { kind: 'unknown', topicName: `v2.routing.queues.${Q}.users` }],
    ['queue topic without id', envelope('v2.routing.queues..conversations', {}), { kind: 'unknown', topicName: 'v2.routing.queues..conversations' }],
    ['queue prefix only', envelope('v2.routing.queues.', {}), { kind: 'unknown', topicName: 'v2.routing.queues.' }],
    [
      'flow',
      envelope('v2.flows.f-1', { id: 'f-1', currentOperation: { actionName: 'PUBLISH' } }, { CorrelationId: 'c' }),
      { kind: 'flow', flowId: 'f-1', body: { id: 'f-1', currentOperation: { actionName: 'PUBLISH' } }, correlationId: 'c' },
    ],
    ['flow sub-topic', envelope('v2.flows.f-1.outcomes', {}), { kind: 'unknown', topicName: 'v2.flows.f-1.outcomes' }],
    ['flow without id', envelope('v2.flows.', {}), { kind: 'unknown', topicName: 'v2.flows.' }],
    ['unrelated topic', envelope('v2.users.u1.presence', {}), { kind: 'unknown', topicName: 'v2.users.u1.presence' }],
    ['correlation id of the wrong type', envelope('v2.flows.f', {}, { CorrelationId: 42 }), { kind: 'flow', flowId: 'f', body: {}, correlationId: undefined }],
    ['metadata of the wrong type', envelope('v2.flows.f', {}, 'meta'), { kind: 'flow', flowId: 'f', body: {}, correlationId: undefined }],
  ])('%s', (_name, text, expected) => {
    expect(parseFrame(text)).toEqual(expected);
  });

  it.each<[string, string, string]>([
    ['garbage', 'not json at all {', 'not JSON'],
    ['empty string', '', 'not JSON'],
    ['JSON array', '[1,2]', 'not a JSON object'],
    ['JSON null', 'null', 'not a JSON object'],
    ['JSON string', '"v2.flows.x"', 'not a JSON object'],
    ['missing topicName', JSON.stringify({ eventBody: {} }), 'topicName missing or not a string'],
    ['numeric topicName', envelope(42, {}), 'topicName missing or not a string'],
    ['empty topicName', envelope('', {}), 'topicName empty'],
    ['conversation without body', envelope(`v2.routing.queues.${Q}.conversations`), 'conversation event without an eventBody object'],
    ['conversation with an array body', envelope(`v2.routing.queues.${Q}.conversations`, []), 'conversation event without an eventBody object'],
    ['conversation with a string body', envelope(`v2.routing.queues.${Q}.conversations`, 'x'), 'conversation event without an eventBody object'],
    ['flow without body', envelope('v2.flows.f'), 'flow event without an eventBody object'],
  ])('malformed: %s', (_name, text, reason) => {
    expect(parseFrame(text)).toEqual({ kind: 'malformed', reason });
  });

  it('never quotes the payload in a malformed reason', () => {
    const frame = parseFrame('{"topicName": "v2.flows.f", "eventBody": "tel:+4915112345678"');
    expect(frame.kind).toBe('malformed');
    expect(JSON.stringify(frame)).not.toContain('4915112345678');
  });

  it('passes the body through by reference (no copy)', () => {
    const frame = parseFrame(envelope(`v2.routing.queues.${Q}.conversations`, { participants: [{ id: 'p1' }] }));
    expect(frame.kind === 'conversation' && (frame.body as { participants: unknown[] }).participants).toEqual([{ id: 'p1' }]);
  });
});

describe('conversationIdOfText', () => {
  it.each([
    ['{"topicName":"v2.routing.queues.q1.conversations","version":"2","eventBody":{"id":"c-1","participants":[]}}', 'c-1'],
    ['{"topicName":"v2.routing.queues.q1.conversations.calls","eventBody":{"id":"c-2"}}', 'c-2'],
    ['{"topicName":"v2.flows.f1","eventBody":{"id":"f1"}}', undefined],
    ['{"eventBody":{"id":"c-3"},"topicName":"v2.routing.queues.q1.conversations"}', undefined],
    ['{"topicName":"v2.routing.queues.q1.conversations","eventBody":{"participants":[],"id":"c-4"}}', undefined],
    ['{"topicName":"v2.routing.queues.q1.conversations", "eventBody": {"id": "c-5"}}', undefined],
    ['not json', undefined],
  ])('%s -> %s', (text, id) => {
    expect(conversationIdOfText(text)).toBe(id);
  });
});
