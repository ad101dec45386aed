// 403s: which permission a refusal is about, and a warning per endpoint that does not flood.
import { describe, expect, it } from 'vitest';
import { callFor, familyOf, GENESYS_CALLS, missingPermission } from '../../../src/genesys/calls.js';
import { DenialBoard } from '../../../src/genesys/denials.js';

const GET = 'GET /api/v2/conversations/{conversationId}';

describe('missingPermission', () => {
  it.each([
    ['the name Genesys gives wins', GET, 'You are missing the following permission(s): [conversation:communication:view]', 'conversation:communication:view'],
    ['several names are joined', GET, 'You must have one of [analytics:queueObservation:view, analytics:conversationDetail:view]', 'analytics:queueObservation:view or analytics:conversationDetail:view'],
    ['no name in the message: the table says', GET, 'Forbidden', 'conversation:communication:view'],
    ['the endpoint prefix of our message names nothing', 'GET /api/v2/flows/{flowId}', 'GET /api/v2/flows/{flowId} answered 403 (not.authorized): no', 'architect:flow:view'],
    ['a call the docs name no permission for', 'POST /api/v2/notifications/channels', undefined, 'unknown'],
  ])('%s', (_name, endpoint, message, expected) => {
    expect(missingPermission(endpoint, message)).toBe(expected);
  });
});

describe('the call table', () => {
  it('names each endpoint once, with a family', () => {
    const endpoints = GENESYS_CALLS.map((c) => c.endpoint);
    expect(new Set(endpoints).size).toBe(endpoints.length);
    expect(callFor(GET)?.permission).toBe('conversation:communication:view');
    expect(familyOf('PATCH /api/v2/conversations/{conversationId}/participants/{participantId}/attributes')).toBe('writes');
    expect(familyOf('POST /api/v2/analytics/conversations/activity/query')).toBe('analytics');
  });
});

describe('DenialBoard', () => {
  it('warns at once, then at most once per interval with the count since, and forgets on success', () => {
    let now = 0;
    const board = new DenialBoard(60_000, () => now);
    expect(board.refused(GET, 'conversation:communication:view')).toEqual({ endpoint: GET, permission: 'conversation:communication:view', refused: 1 });
    now = 1_000;
    expect(board.refused(GET, 'conversation:communication:view')).toBeUndefined();
    expect(board.refused(GET, 'conversation:communication:view')).toBeUndefined();
    expect(board.list()).toEqual([{ endpoint: GET, permission: 'conversation:communication:view', count: 3, lastAt: 1_000 }]);
    now = 61_000;
    expect(board.refused(GET, 'conversation:communication:view')).toMatchObject({ refused: 3 });
    board.succeeded(GET);
    expect(board.list()).toEqual([]);
    expect(board.refused(GET, 'conversation:communication:view')).toMatchObject({ refused: 1 });
  });
});
