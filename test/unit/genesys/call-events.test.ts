// The observer layer on its own: metric events per attempt, 429 pauses warned, 403s warned at
// most once a minute per call, counted every time and listed until the call answers.
import { describe, expect, it } from 'vitest';
import { CallEvents, type CallObserver } from '../../../src/genesys/call-events.js';
import { GenesysApiError, GenesysNetworkError } from '../../../src/genesys/errors.js';
import { recordingLogger } from '../../integration/genesys/harness.js';

const FLOW = 'GET /api/v2/flows/{flowId}';

function recorded(): { events: CallEvents; seen: string[]; logger: ReturnType<typeof recordingLogger> } {
  const seen: string[] = [];
  const observer: CallObserver = {
    onAttempt: (endpoint, outcome) => seen.push(`attempt ${endpoint} ${outcome}`),
    onRateLimited: (endpoint, ms) => seen.push(`rateLimited ${endpoint} ${ms}`),
    onPaused: (endpoint, d) => seen.push(`paused ${endpoint} ${d.family} ${d.pauseMs}`),
    onPermissionDenied: (endpoint, permission) => seen.push(`denied ${endpoint} ${permission}`),
  };
  const logger = recordingLogger();
  return { events: new CallEvents(logger, observer), seen, logger };
}

const forbidden = new GenesysApiError(FLOW, 403, 'missing.any.permissions', 'corr-1', undefined, 'Missing any permissions: architect:flow:view');

describe('CallEvents', () => {
  it('reports each attempt with its status, or network when none came', () => {
    const { events, seen } = recorded();
    events.answered(FLOW, 200, 5);
    events.failed(FLOW, new GenesysApiError(FLOW, 503, undefined, undefined, undefined, 'm'), 5);
    events.failed(FLOW, new GenesysNetworkError(FLOW, 'ECONNRESET'), 5);
    expect(seen).toEqual([`attempt ${FLOW} 200`, `attempt ${FLOW} 503`, `attempt ${FLOW} network`]);
  });

  it('counts every 403, warns once, and lists the call until it answers', () => {
    const { events, seen, logger } = recorded();
    for (let i = 0; i < 3; i++) events.failed(FLOW, forbidden, 1);
    expect(seen.filter((s) => s.startsWith('denied'))).toEqual(Array.from({ length: 3 }, () => `denied ${FLOW} architect:flow:view`));
    const warned = logger.lines.filter((l) => l.level === 'warn');
    expect(warned).toHaveLength(1);
    expect(warned[0]!.fields).toMatchObject({ call: FLOW, permission: 'architect:flow:view', refused: 1, correlationId: 'corr-1' });
    expect(events.deniedCalls()).toMatchObject([{ endpoint: FLOW, permission: 'architect:flow:view', count: 3 }]);
    events.answered(FLOW, 200, 1);
    expect(events.deniedCalls()).toEqual([]);
  });

  it('warns a pause with its scope, and says when the cap cut it', () => {
    const { events, seen, logger } = recorded();
    events.paused(FLOW, 1_000, { family: 'flows', requestedMs: 1_000, pauseMs: 1_000, capped: false, all: false });
    events.paused(FLOW, 86_400_000, { family: 'flows', requestedMs: 86_400_000, pauseMs: 60_000, capped: true, all: true });
    expect(seen).toEqual([`rateLimited ${FLOW} 1000`, `paused ${FLOW} flows 1000`, `rateLimited ${FLOW} 86400000`, `paused ${FLOW} flows 60000`]);
    const warned = logger.lines.filter((l) => l.level === 'warn');
    expect(warned.map((l) => l.fields)).toEqual([
      { endpoint: FLOW, family: 'flows', pauseMs: 1_000, scope: 'family' },
      { endpoint: FLOW, family: 'flows', pauseMs: 60_000, scope: 'all', retryAfterMs: 86_400_000 },
    ]);
    expect(warned[1]!.message).toContain('cap');
  });
});
