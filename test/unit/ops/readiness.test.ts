import { describe, expect, it } from 'vitest';
import { assessReadiness, type ReadinessChannel, type ReadinessInput } from '../../../src/ops/readiness.js';

const NOW = 1_000_000;
const OPTS = { maxSilenceMs: 1_000 };
const fresh = (key: string, state = 'open', ageMs = 100): ReadinessChannel => ({ key, state, lastFrameAt: NOW - ageMs });
const healthy: ReadinessInput = { channels: [fresh('a'), fresh('b')], schemaVersion: '3', tokenExpiresAt: NOW + 60_000 };

describe('assessReadiness', () => {
  it.each<[string, Partial<ReadinessInput>, boolean, string[]]>([
    ['everything healthy', {}, true, []],
    ['a rotating channel still has its old socket', { channels: [fresh('a', 'rotating')] }, true, []],
    ['an open channel without a frame yet', { channels: [{ key: 'a', state: 'open', lastFrameAt: 0 }] }, true, []],
    ['silence exactly at the limit', { channels: [fresh('a', 'open', 1_000)] }, true, []],
    ['silence just over the limit', { channels: [fresh('a'), fresh('b', 'open', 1_001)] }, false, ['channel b']],
    ['a channel in backoff', { channels: [fresh('a', 'backoff')] }, false, ['channel a']],
    ['a channel connecting', { channels: [fresh('a', 'connecting'), fresh('b', 'idle')] }, false, ['channel a', 'channel b']],
    ['a stopped channel', { channels: [fresh('a', 'stopped')] }, false, ['channel a']],
    ['no channels at all', { channels: [] }, false, ['channels']],
    ['no schema', { schemaVersion: undefined }, false, ['schema']],
    ['an empty schema version', { schemaVersion: '' }, false, ['schema']],
    ['no token yet', { tokenExpiresAt: 0 }, false, ['token']],
    ['an expired token', { tokenExpiresAt: NOW - 5_000 }, false, ['token']],
    ['a token expiring right now', { tokenExpiresAt: NOW }, false, ['token']],
    ['everything wrong', { channels: [fresh('a', 'backoff')], schemaVersion: undefined, tokenExpiresAt: 0 }, false, ['channel a', 'schema', 'token']],
    ['no family paused and no call refused', { genesysPauses: [{ family: 'writes', remainingMs: 0 }], deniedCalls: [] }, true, []],
    ['writes paused by a 429', { genesysPauses: [{ family: 'writes', remainingMs: 30_000 }] }, false, ['genesys writes']],
    ['only the catch-up query paused', { genesysPauses: [{ family: 'writes', remainingMs: 0 }, { family: 'analytics', remainingMs: 30_000 }] }, true, []],
    ['a call refused for a permission', { deniedCalls: [{ endpoint: 'GET /api/v2/conversations/{conversationId}', permission: 'conversation:communication:view' }] }, false, ['permissions']],
  ])('%s', (_name, change, ready, failing) => {
    const report = assessReadiness({ ...healthy, ...change }, NOW, OPTS);
    expect(report.ready).toBe(ready);
    expect(report.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(failing);
  });

  it('says how long writes stay paused, what else is paused, and which permission a refused call needs', () => {
    const report = assessReadiness(
      {
        ...healthy,
        genesysPauses: [{ family: 'writes', remainingMs: 59_500 }, { family: 'analytics', remainingMs: 1_000 }, { family: 'flows', remainingMs: 0 }],
        deniedCalls: [{ endpoint: 'GET /api/v2/conversations/{conversationId}', permission: 'conversation:communication:view' }],
      },
      NOW,
      OPTS,
    );
    const detail = new Map(report.checks.map((c) => [c.name, c.detail]));
    expect(detail.get('genesys writes')).toBe('paused for 60 s more after a 429; also paused: analytics 1 s');
    expect(detail.get('permissions')).toContain('GET /api/v2/conversations/{conversationId} needs conversation:communication:view');
  });

  it('names every check and explains each one', () => {
    const report = assessReadiness({ ...healthy, channels: [fresh('a'), fresh('b', 'open', 5_000)] }, NOW, OPTS);
    expect(report.checks.map((c) => c.name)).toEqual(['channel a', 'channel b', 'schema', 'token']);
    expect(report.checks[0]!.detail).toBe('open, last frame 100 ms ago');
    expect(report.checks[1]!.detail).toBe('open, silent for 5000 ms (limit 1000 ms)');
    expect(report.checks[2]!.detail).toBe('version 3');
    expect(report.checks[3]!.detail).toBe('expires in 60 s');
  });

  it('treats a frame stamped in the future (clock step) as fresh', () => {
    const report = assessReadiness({ ...healthy, channels: [{ key: 'a', state: 'open', lastFrameAt: NOW + 500 }] }, NOW, OPTS);
    expect(report.ready).toBe(true);
  });
});
