/**
 * A live conversation is not lost because the CRM was partly slow for a while: a refusal by the
 * open breaker does not use up a try, and a conversation whose tries are used up is looked at again
 * by the pipeline itself (no new snapshot comes once the agent is connected), a bounded number of rounds.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CrmResult } from '../../../src/crm/types.js';
import { IDENTITY_DEFAULTS } from '../../../src/enrich/identity.js';
import { Enricher, MAX_BREAKER_WAIT_MS, MAX_ROUNDS } from '../../../src/enrich/pipeline.js';
import { silentLogger } from '../../../src/log.js';
import { compileSchema } from '../../../src/schema/compile.js';
import { deriveSigningKeys } from '../../../src/signing.js';
import { memoryAuditSink } from '../../../src/sinks/audit.js';
import { acd, agent, body, customer, ivr, Q1 } from './fixtures.js';

const SCHEMA = compileSchema({ type: 'object', properties: { 'Flow.accountId': { type: 'string' } } }, { versionId: '1', maxValueLength: 256 });
const FOUND: CrmResult = { outcome: 'miss', found: true, record: { account: { id: 'ACC-1' } }, latencyMs: 1 };
const OPEN: CrmResult = { outcome: 'error', found: false, error: 'circuit-open', latencyMs: 0 };
const TIMEOUT: CrmResult = { outcome: 'timeout', found: false, error: 'timeout', latencyMs: 5_000 };
const RETRY_DELAY_MS = 2_000;
const REST_MS = 30_000;

const connected = (id: string) =>
  body('generic', id, 'call', [customer(['connected']), ivr(['disconnected']), acd('p-acd', Q1, ['disconnected']), agent('p-agent', Q1, ['connected'])]);
const ended = (id: string) => ({
  ...(body('generic', id, 'call', [customer(['connected', 'disconnected']), acd('p-acd', Q1, ['disconnected']), agent('p-agent', Q1, ['connected', 'disconnected'])]) as Record<string, unknown>),
  endTime: '2026-12-07T00:00:00.000Z',
});

/** An enricher at the shipped tries and delays, whose CRM answers from `answers` in order (then the last one). */
function setup(answers: readonly CrmResult[], read?: (id: string) => Promise<unknown>) {
  const audit = memoryAuditSink();
  const writes: string[] = [];
  const reads: string[] = [];
  let lookups = 0;
  const enricher = new Enricher(
    {
      detect: { queueIds: new Set([Q1]), media: new Set(['call'] as const), trigger: 'agent-connected', target: 'customer', markerKey: 'crm.enricher.traceId' },
      identity: IDENTITY_DEFAULTS,
      map: { 'Flow.accountId': '/account/id' },
      prefix: 'crm.',
      queueSize: 100,
      concurrency: 4,
      retryAfterMs: REST_MS,
      claimsMax: 1000,
      retryDelayMs: RETRY_DELAY_MS,
      maxAttempts: 3,
      signing: deriveSigningKeys({ clientSecret: 'persistence-secret' }),
    },
    {
      writer: {
        patchParticipantAttributes: (conversationId) => {
          writes.push(conversationId);
          return Promise.resolve({});
        },
      },
      crm: {
        lookup: () => {
          const answer = answers[Math.min(lookups, answers.length - 1)];
          lookups++;
          return Promise.resolve(answer ?? FOUND);
        },
      },
      ...(read && {
        reader: {
          getConversation: (id: string) => {
            reads.push(id);
            return read(id);
          },
        },
      }),
      schemas: { current: () => SCHEMA },
      audit,
      logger: silentLogger,
    },
  );
  return { enricher, audit, writes, reads, lookups: () => lookups };
}

describe('Enricher: a live conversation outlasts a partly slow CRM', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('does not use up a try on refusals of the open breaker: it waits for the breaker and enriches', async () => {
    // Open for 30 s (the default): refused at once every 2 s, far more often than 3 tries.
    const h = setup([...Array.from({ length: 15 }, () => OPEN), FOUND]);
    h.enricher.offer(connected('c1'), undefined, 'live');
    await vi.advanceTimersByTimeAsync(31_000);
    expect(h.lookups()).toBe(16);
    expect(h.writes).toEqual(['c1']);
    expect(h.audit.lines).toEqual([expect.objectContaining({ event: 'enriched', conversationId: 'c1' })]);
  });

  it('counts the refusals as failures once one try has waited its bound for the breaker', async () => {
    const h = setup([OPEN]);
    h.enricher.offer(connected('c1'), undefined, 'live');
    // Each of the 3 tries waits the bound, then the doubling delays (2 s, 4 s) lie between them.
    await vi.advanceTimersByTimeAsync(3 * MAX_BREAKER_WAIT_MS + 3 * RETRY_DELAY_MS + 1_000);
    expect(h.writes).toEqual([]);
    expect(h.audit.lines).toEqual([expect.objectContaining({ event: 'failed', reason: 'crm-circuit-open', attempts: 3 })]);
  });

  it('looks at a given-up conversation again by itself after the rest, and enriches it while it is live', async () => {
    const h = setup([TIMEOUT, TIMEOUT, TIMEOUT, FOUND], (id) => Promise.resolve(connected(id)));
    h.enricher.offer(connected('c1'), undefined, 'live');
    await vi.advanceTimersByTimeAsync(RETRY_DELAY_MS + 2 * RETRY_DELAY_MS);
    expect(h.audit.lines).toEqual([expect.objectContaining({ event: 'failed', reason: 'crm-timeout', attempts: 3 })]);
    expect(h.reads).toEqual([]);
    await vi.advanceTimersByTimeAsync(REST_MS);
    expect(h.reads).toEqual(['c1']);
    expect(h.writes).toEqual(['c1']);
    expect(h.audit.lines.map((l) => l.event)).toEqual(['failed', 'enriched']);
  });

  it('stops after the bounded rounds when the CRM never answers', async () => {
    const h = setup([TIMEOUT], (id) => Promise.resolve(connected(id)));
    h.enricher.offer(connected('c1'), undefined, 'live');
    await vi.advanceTimersByTimeAsync(MAX_ROUNDS * (REST_MS + 3 * RETRY_DELAY_MS) + 10 * REST_MS);
    expect(h.lookups()).toBe(MAX_ROUNDS * 3);
    expect(h.reads).toHaveLength(MAX_ROUNDS - 1);
    expect(h.audit.lines.map((l) => `${l.event}/${l.reason ?? ''}`)).toEqual(Array.from({ length: MAX_ROUNDS }, () => 'failed/crm-timeout'));
  });

  it('ends the rounds with conversation-ended when the look finds the conversation over', async () => {
    const h = setup([TIMEOUT], (id) => Promise.resolve(ended(id)));
    h.enricher.offer(connected('c1'), undefined, 'live');
    await vi.advanceTimersByTimeAsync(3 * REST_MS);
    expect(h.lookups()).toBe(3);
    expect(h.reads).toEqual(['c1']);
    expect(h.audit.lines.map((l) => `${l.event}/${l.reason ?? ''}`)).toEqual(['failed/crm-timeout', 'skipped/conversation-ended']);
  });

  it('leaves a conversation alone that a snapshot settled while its look was under way', async () => {
    const slowRead = (id: string) => new Promise<unknown>((resolve) => setTimeout(() => { resolve(connected(id)); }, 1_000));
    const h = setup([TIMEOUT, TIMEOUT, TIMEOUT, FOUND, FOUND], slowRead);
    h.enricher.offer(connected('c1'), undefined, 'live');
    await vi.advanceTimersByTimeAsync(3 * RETRY_DELAY_MS + REST_MS);
    expect(h.reads).toEqual(['c1']);
    h.enricher.offer(connected('c1'), undefined, 'live');
    await vi.advanceTimersByTimeAsync(2_000);
    expect(h.lookups()).toBe(4);
    expect(h.writes).toEqual(['c1']);
    expect(h.audit.lines.map((l) => l.event)).toEqual(['failed', 'enriched']);
  });

  it('drain cancels the next round', async () => {
    const h = setup([TIMEOUT], (id) => Promise.resolve(connected(id)));
    h.enricher.offer(connected('c1'), undefined, 'live');
    await vi.advanceTimersByTimeAsync(3 * RETRY_DELAY_MS);
    await h.enricher.drain(0);
    await vi.advanceTimersByTimeAsync(2 * REST_MS);
    expect(h.reads).toEqual([]);
    expect(h.lookups()).toBe(3);
  });
});
