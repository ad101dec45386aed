import { describe, expect, it } from 'vitest';
import { parseCrmTemplate, renderCrmLookup } from '../../../src/crm/template.js';
import type { CrmContext, CrmResult } from '../../../src/crm/types.js';
import { GenesysApiError, GenesysNetworkError } from '../../../src/genesys/errors.js';
import { silentLogger } from '../../../src/log.js';
import { IDENTITY_DEFAULTS } from '../../../src/enrich/identity.js';
import { Enricher, type EnricherOptions } from '../../../src/enrich/pipeline.js';
import { compileSchema, type CompiledSchema } from '../../../src/schema/compile.js';
import { markerValue, readMarker } from '../../../src/enrich/marker.js';
import { deriveSigningKeys } from '../../../src/signing.js';
import { hashValue, memoryAuditSink } from '../../../src/sinks/audit.js';
import { waitFor } from '../../helpers/wait-for.js';
import { acd, agent, body, customer, ivr, Q1 } from './fixtures.js';

const MARKER = 'crm.enricher.traceId';
const SIGNING = deriveSigningKeys({ clientSecret: 'unit-test-secret' });
/** A marker this daemon would have written for `conversationId`. */
const ours = (conversationId: string, traceId = '0d7c2f4e-9b1a-4c3d-8e5f-6a7b8c9d0e1f') => markerValue(SIGNING.marker, conversationId, traceId);
const SCHEMA = compileSchema(
  {
    type: 'object',
    properties: { 'Flow.accountId': { type: 'string' }, 'Flow.vip': { type: 'boolean' }, 'Flow.balance': { type: 'number' } },
  },
  { versionId: '3.0', maxValueLength: 256 },
);
const RECORD = { account: { id: 'ACC-1', vip: true, balance: 12.5 } };

const connected = (id: string, attrs?: Record<string, string>) =>
  body('generic', id, 'call', [customer(['connected'], attrs), ivr(['disconnected']), acd('p-acd', Q1, ['disconnected']), agent('p-agent', Q1, ['connected'])]);
const waiting = (id: string) => body('generic', id, 'call', [customer(['connected']), acd('p-acd', Q1, ['connected'])]);

interface Harness {
  enricher: Enricher;
  writes: { conversationId: string; participantId: string; attributes: Record<string, string> }[];
  lookups: CrmContext[];
  audit: ReturnType<typeof memoryAuditSink>;
}

function harness(opts: {
  crm?: (ctx: CrmContext) => Promise<CrmResult>;
  write?: () => Promise<{ correlationId?: string }>;
  /** The conversation as a read-back GET sees it (none: no reader). */
  read?: (conversationId: string) => Promise<unknown>;
  schema?: CompiledSchema | undefined;
  options?: Partial<EnricherOptions>;
  dryRun?: boolean;
  webhook?: { post(event: unknown): void };
} = {}): Harness {
  const writes: Harness['writes'] = [];
  const lookups: CrmContext[] = [];
  const audit = memoryAuditSink();
  const schema = 'schema' in opts ? opts.schema : SCHEMA;
  const enricher = new Enricher(
    {
      detect: { queueIds: new Set([Q1]), media: new Set(['call', 'chat', 'message', 'email', 'callback'] as const), trigger: 'agent-connected', target: 'customer', markerKey: MARKER },
      identity: IDENTITY_DEFAULTS,
      map: { 'Flow.accountId': '/account/id', 'Flow.vip': '/account/vip', 'Flow.balance': '/account/balance' },
      prefix: 'crm.',
      queueSize: 100,
      concurrency: 4,
      retryAfterMs: 50,
      claimsMax: 1000,
      retryDelayMs: 10,
      maxAttempts: 1,
      signing: SIGNING,
      ...opts.options,
    },
    {
      writer: {
        patchParticipantAttributes: async (conversationId, participantId, attributes) => {
          writes.push({ conversationId, participantId, attributes: { ...attributes } });
          return opts.write ? opts.write() : { correlationId: 'corr-1' };
        },
      },
      crm: {
        lookup: async (ctx) => {
          lookups.push(ctx);
          return opts.crm ? opts.crm(ctx) : { outcome: 'miss', found: true, record: RECORD, latencyMs: 1 };
        },
      },
      schemas: { current: () => schema },
      audit,
      logger: silentLogger,
      ...(opts.read && { reader: { getConversation: opts.read } }),
      ...(opts.dryRun === true && { dryRun: true }),
      ...(opts.webhook && { webhook: opts.webhook }),
    },
  );
  return { enricher, writes, lookups, audit };
}

describe('Enricher', () => {
  it('in a dry run sends no PATCH, audits would-enrich with hashes only, and tells no webhook', async () => {
    const posted: unknown[] = [];
    const h = harness({ dryRun: true, webhook: { post: (e) => posted.push(e) } });
    h.enricher.offer(connected('c1'), undefined, 'live');
    await waitFor(() => h.audit.lines.length === 1);
    expect(h.writes).toEqual([]);
    const line = h.audit.lines[0]!;
    expect(line).toMatchObject({ event: 'would-enrich', conversationId: 'c1', crm: 'fetched' });
    expect(line.attributes?.['crm.accountId']).toBe(hashValue('ACC-1', SIGNING.audit));
    expect(Object.keys(line.attributes ?? {})).toContain(MARKER);
    expect(JSON.stringify(line)).not.toContain('ACC-1');
    expect(posted).toEqual([]);
    expect(h.enricher.summary).toMatchObject({ wouldEnrich: 1, enriched: 0 });
    // Settled: a repeated snapshot does not make a second line.
    h.enricher.offer(connected('c1'), undefined, 'live');
    await new Promise((r) => setImmediate(r));
    expect(h.audit.lines).toHaveLength(1);
  });

  it('writes mapped, coerced attributes plus the marker with one PATCH, and audits hashes only', async () => {
    const h = harness();
    h.enricher.offer(connected('c1'), undefined, 'live', 'corr-frame');
    await waitFor(() => h.audit.lines.length === 1);
    expect(h.writes).toHaveLength(1);
    const w = h.writes[0]!;
    expect(w.participantId).toBe('p-cust');
    expect(w.attributes).toMatchObject({ 'crm.accountId': 'ACC-1', 'crm.vip': 'true', 'crm.balance': '12.5' });
    expect(readMarker(SIGNING.marker, 'c1', w.attributes[MARKER])).toEqual({ kind: 'valid', traceId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(h.lookups[0]).toMatchObject({ phone: '+4915112345678', conversationId: 'c1', queueId: Q1 });
    const line = h.audit.lines[0]!;
    expect(line).toMatchObject({ event: 'enriched', conversationId: 'c1', participantId: 'p-cust', queueId: Q1, crm: 'fetched', schemaVersion: '3.0', correlationId: 'corr-1' });
    expect(line.attributes?.['crm.accountId']).toBe(hashValue('ACC-1', SIGNING.audit));
    expect(w.attributes[MARKER]?.startsWith(`${line.traceId}.`)).toBe(true);
    expect(JSON.stringify(line)).not.toContain('ACC-1');
  });

  it('enriches a conversation once however often its snapshot repeats', async () => {
    const h = harness();
    for (let i = 0; i < 20; i++) h.enricher.offer(connected('c1'), undefined, 'live');
    await waitFor(() => h.audit.lines.length === 1);
    for (let i = 0; i < 5; i++) h.enricher.offer(connected('c1'), undefined, 'backfill');
    await h.enricher.drain(1000);
    expect(h.writes).toHaveLength(1);
    expect(h.audit.lines).toHaveLength(1);
  });

  it('waits (no audit, no claim) until the trigger fires', async () => {
    const h = harness();
    h.enricher.offer(waiting('c1'), undefined, 'live');
    expect(h.enricher.claims.settled('c1')).toBe(false);
    h.enricher.offer(connected('c1'), undefined, 'live');
    await waitFor(() => h.audit.lines.length === 1);
    expect(h.writes).toHaveLength(1);
  });

  it('skips a conversation that already carries the marker without asking the CRM', async () => {
    const h = harness();
    h.enricher.offer(connected('c1', { [MARKER]: ours('c1') }), undefined, 'backfill');
    await waitFor(() => h.audit.lines.length === 1);
    expect(h.audit.lines[0]).toMatchObject({ event: 'skipped', reason: 'already-enriched', source: 'backfill' });
    expect(h.lookups).toHaveLength(0);
    expect(h.writes).toHaveLength(0);
  });

  it.each([
    ['not found', { outcome: 'miss', found: false, latencyMs: 1 }, 'skipped', 'crm-not-found'],
    ['no key', { outcome: 'error', found: false, latencyMs: 0, error: 'no-lookup-key' }, 'skipped', 'no-lookup-key'],
    ['timeout', { outcome: 'timeout', found: false, latencyMs: 5, error: 'timeout' }, 'failed', 'crm-timeout'],
  ] as const)('CRM %s -> %s %s and no write', async (_name, result, event, reason) => {
    const h = harness({ crm: () => Promise.resolve(result as CrmResult) });
    h.enricher.offer(connected('c1'), undefined, 'live');
    await waitFor(() => h.audit.lines.length === 1);
    expect(h.audit.lines[0]).toMatchObject({ event, reason });
    expect(h.writes).toHaveLength(0);
  });

  it('retries a failed conversation on a later snapshot, after the rest period', async () => {
    let fail = true;
    const h = harness({ crm: () => Promise.resolve(fail ? { outcome: 'timeout', found: false, latencyMs: 1, error: 'timeout' } : { outcome: 'miss', found: true, record: RECORD, latencyMs: 1 }) });
    h.enricher.offer(connected('c1'), undefined, 'live');
    await waitFor(() => h.audit.lines.length === 1);
    h.enricher.offer(connected('c1'), undefined, 'live');
    expect(h.lookups).toHaveLength(1);
    fail = false;
    await waitFor(() => !h.enricher.claims.settled('c1'));
    h.enricher.offer(connected('c1'), undefined, 'live');
    await waitFor(() => h.audit.lines.length === 2);
    expect(h.audit.lines.map((l) => l.event)).toEqual(['failed', 'enriched']);
    expect(h.writes).toHaveLength(1);
  });

  it('tries a transient failure again by itself and audits only the outcome', async () => {
    let calls = 0;
    const h = harness({
      crm: () => Promise.resolve(++calls < 3 ? { outcome: 'timeout', found: false, latencyMs: 1, error: 'timeout' } : { outcome: 'miss', found: true, record: RECORD, latencyMs: 1 }),
      options: { maxAttempts: 3 },
    });
    h.enricher.offer(connected('c1'), undefined, 'live');
    await waitFor(() => h.audit.lines.length === 1);
    expect(calls).toBe(3);
    expect(h.audit.lines.map((l) => l.event)).toEqual(['enriched']);
    expect(h.writes).toHaveLength(1);
  });

  it('audits the failure with the number of tries once the attempts are used up', async () => {
    const h = harness({ crm: () => Promise.resolve({ outcome: 'error', found: false, latencyMs: 1, error: 'http-503' }), options: { maxAttempts: 2 } });
    h.enricher.offer(connected('c1'), undefined, 'live');
    await waitFor(() => h.audit.lines.length === 1);
    expect(h.audit.lines[0]).toMatchObject({ event: 'failed', reason: 'crm-http-503', attempts: 2 });
    expect(h.lookups).toHaveLength(2);
  });

  it('drops an invalid field, writes the rest and names the dropped one', async () => {
    const h = harness({ crm: () => Promise.resolve({ outcome: 'hit', found: true, record: { account: { id: 'ACC-2', vip: 'maybe', balance: 3 } }, latencyMs: 0 }) });
    h.enricher.offer(connected('c1'), undefined, 'live');
    await waitFor(() => h.audit.lines.length === 1);
    expect(Object.keys(h.writes[0]!.attributes).sort()).toEqual(['crm.accountId', 'crm.balance', MARKER].sort());
    expect(h.audit.lines[0]!.dropped).toEqual([{ field: 'Flow.vip', reason: expect.any(String) }]);
    expect(JSON.stringify(h.audit.lines[0])).not.toContain('maybe');
  });

  it.each([
    [new GenesysApiError('PATCH', 404, 'not.found', 'c-404', undefined, 'gone'), 'failed', 'genesys-404'],
    [new GenesysApiError('PATCH', 500, 'internal', 'c-500', undefined, 'boom'), 'failed', 'write-outcome-unknown'],
  ])('a PATCH error with no read-back %#', async (error, event, reason) => {
    const h = harness({ write: () => Promise.reject(error) });
    h.enricher.offer(connected('c1'), undefined, 'live');
    await waitFor(() => h.audit.lines.length === 1);
    expect(h.audit.lines[0]).toMatchObject({ event, reason, correlationId: expect.any(String) });
  });

  it('fails with schema-unavailable while no schema is loaded', async () => {
    const h = harness({ schema: undefined });
    h.enricher.offer(connected('c1'), undefined, 'live');
    await waitFor(() => h.audit.lines.length === 1);
    expect(h.audit.lines[0]).toMatchObject({ event: 'failed', reason: 'schema-unavailable' });
    expect(h.lookups).toHaveLength(0);
  });

  it('turns work away when the queue is full, leaving it unclaimed for a later snapshot', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    const h = harness({
      crm: async () => { await gate; return { outcome: 'miss', found: true, record: RECORD, latencyMs: 1 }; },
      options: { queueSize: 1, concurrency: 1 },
    });
    h.enricher.offer(connected('a'), undefined, 'live');
    await waitFor(() => h.lookups.length === 1);
    h.enricher.offer(connected('b'), undefined, 'live');
    h.enricher.offer(connected('c'), undefined, 'live');
    expect(h.enricher.claims.settled('b')).toBe(true);
    expect(h.enricher.claims.settled('c')).toBe(false);
    release();
    await waitFor(() => h.audit.lines.length === 2);
    h.enricher.offer(connected('c'), undefined, 'live');
    await waitFor(() => h.audit.lines.length === 3);
    expect(new Set(h.writes.map((w) => w.conversationId))).toEqual(new Set(['a', 'b', 'c']));
  });

  it('drain lets in-flight work finish and releases what never started', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    const h = harness({ crm: async () => { await gate; return { outcome: 'miss', found: true, record: RECORD, latencyMs: 1 }; }, options: { concurrency: 1 } });
    h.enricher.offer(connected('a'), undefined, 'live');
    await waitFor(() => h.lookups.length === 1);
    h.enricher.offer(connected('b'), undefined, 'live');
    const drained = h.enricher.drain(2000);
    release();
    await expect(drained).resolves.toEqual({ unfinished: 0, notStarted: 1 });
    expect(h.audit.lines.map((l) => l.conversationId)).toEqual(['a']);
    expect(h.enricher.claims.settled('b')).toBe(false);
  });
});

describe('Enricher recovery after a crash', () => {
  const build = (isAudited: (t: string) => boolean) => {
    const audit = memoryAuditSink();
    const enricher = new Enricher(
      {
        detect: { queueIds: new Set([Q1]), media: new Set(['call'] as const), trigger: 'agent-connected', target: 'customer', markerKey: MARKER },
        identity: IDENTITY_DEFAULTS,
        map: { 'Flow.accountId': '/account/id' },
        prefix: 'crm.',
        queueSize: 10,
        concurrency: 1,
        retryAfterMs: 50,
        claimsMax: 100,
        retryDelayMs: 10,
        maxAttempts: 1,
        signing: SIGNING,
      },
      {
        writer: { patchParticipantAttributes: () => Promise.reject(new Error('must not write')) },
        crm: { lookup: () => Promise.reject(new Error('must not look up')) },
        schemas: { current: () => SCHEMA },
        audit,
        logger: silentLogger,
        isAudited,
      },
    );
    return { enricher, audit };
  };

  it.each(['backfill', 'live'] as const)('recovers the enriched line of a marker whose line never reached the trail (seen by %s)', (source) => {
    const { enricher, audit } = build(() => false);
    const lost = '7f0e1d2c-3b4a-4596-8877-665544332211';
    enricher.offer(connected('c1', { [MARKER]: ours('c1', lost), 'crm.accountId': 'ACC-7', 'other.key': 'x' }), undefined, source);
    expect(audit.lines).toHaveLength(1);
    expect(audit.lines[0]).toMatchObject({ event: 'enriched', reason: 'recovered', traceId: lost, source });
    expect(Object.keys(audit.lines[0]!.attributes ?? {}).sort()).toEqual(['crm.accountId', MARKER].sort());
    expect(enricher.summary.enriched).toBe(1);
  });

  const cases: [string, () => boolean, 'live' | 'backfill'][] = [
    ['the line is already in the trail (backfill)', () => true, 'backfill'],
    ['the line is already in the trail (live)', () => true, 'live'],
  ];
  it.each(cases)('only skips when %s', (_name, isAudited, source) => {
    const { enricher, audit } = build(isAudited);
    enricher.offer(connected('c1', { [MARKER]: ours('c1') }), undefined, source);
    expect(audit.lines[0]).toMatchObject({ event: 'skipped', reason: 'already-enriched' });
  });
});

describe('Enricher: writes of unknown outcome', () => {
  const timeout = () => Promise.reject(new GenesysNetworkError('PATCH', 'ECONNABORTED'));
  /** The conversation as Genesys would show it after `write` landed (or not). */
  const after = (id: string, write: Harness['writes'][number] | undefined) => connected(id, write?.attributes);

  it('confirms by reading back when the answer was lost but the write landed: one PATCH, one enriched line', async () => {
    const h: Harness = harness({ write: timeout, read: (id) => Promise.resolve(after(id, h.writes.at(-1))), options: { maxAttempts: 3 } });
    h.enricher.offer(connected('c1'), undefined, 'live');
    await waitFor(() => h.audit.lines.length === 1);
    expect(h.writes).toHaveLength(1);
    expect(h.audit.lines[0]).toMatchObject({ event: 'enriched', attempts: 1, writeConfirmedBy: 'read-back' });
  });

  it('sends the same write again (same trace id, same values, no second CRM lookup) until it is confirmed', async () => {
    let landed = false;
    const h: Harness = harness({
      write: () => (h.writes.length < 3 ? timeout() : Promise.resolve({})),
      read: (id) => Promise.resolve(after(id, landed ? h.writes.at(-1) : undefined)),
      options: { maxAttempts: 5 },
    });
    h.enricher.offer(connected('c1'), undefined, 'live');
    await waitFor(() => h.audit.lines.length === 1);
    landed = true;
    expect(h.writes).toHaveLength(3);
    expect(new Set(h.writes.map((w) => JSON.stringify(w.attributes))).size).toBe(1);
    expect(h.lookups).toHaveLength(1);
    expect(h.audit.lines).toEqual([expect.objectContaining({ event: 'enriched', attempts: 3 })]);
    expect(h.writes[0]!.attributes[MARKER]?.startsWith(`${h.audit.lines[0]!.traceId}.`)).toBe(true);
  });

  it('ends with one failed line saying the outcome is unknown, all tries carrying one trace id', async () => {
    const h = harness({ write: timeout, read: (id) => Promise.resolve(after(id, undefined)), options: { maxAttempts: 3 } });
    h.enricher.offer(connected('c1'), undefined, 'live');
    await waitFor(() => h.audit.lines.length === 1);
    expect(h.writes).toHaveLength(3);
    expect(new Set(h.writes.map((w) => w.attributes[MARKER])).size).toBe(1);
    expect(h.audit.lines).toEqual([expect.objectContaining({ event: 'failed', reason: 'write-outcome-unknown', attempts: 3 })]);
  });

  it('reads back at the next try, not at once, so a PATCH that lands late is not sent twice', async () => {
    let landed: Harness['writes'][number] | undefined;
    const h: Harness = harness({
      // The answer is lost at once, while the write itself lands a moment later (a slow gateway).
      write: () => {
        const sent = h.writes.at(-1);
        setTimeout(() => { landed = sent; }, 0);
        return timeout();
      },
      read: (id) => Promise.resolve(after(id, landed)),
      options: { maxAttempts: 3 },
    });
    h.enricher.offer(connected('c1'), undefined, 'live');
    await waitFor(() => h.audit.lines.length === 1);
    expect(h.writes).toHaveLength(1);
    expect(h.audit.lines[0]).toMatchObject({ event: 'enriched', attempts: 1, writeConfirmedBy: 'read-back' });
  });

  it('takes one last look when the tries are used up, and records the write that landed late', async () => {
    let landed: Harness['writes'][number] | undefined;
    const h: Harness = harness({
      write: () => {
        const sent = h.writes.at(-1);
        // Only the second PATCH lands, after its answer was lost.
        if (h.writes.length === 2) setTimeout(() => { landed = sent; }, 0);
        return timeout();
      },
      read: (id) => Promise.resolve(after(id, landed)),
      options: { maxAttempts: 2 },
    });
    h.enricher.offer(connected('c1'), undefined, 'live');
    await waitFor(() => h.audit.lines.length === 1);
    expect(h.writes).toHaveLength(2);
    expect(h.audit.lines).toEqual([expect.objectContaining({ event: 'enriched', attempts: 2, writeConfirmedBy: 'read-back' })]);
  });

  it('keeps the trace id of a job across a CRM failure and the retry that follows', async () => {
    let calls = 0;
    const h = harness({
      crm: () => Promise.resolve(++calls < 2 ? { outcome: 'timeout', found: false, latencyMs: 1, error: 'timeout' } : { outcome: 'miss', found: true, record: RECORD, latencyMs: 1 }),
      options: { maxAttempts: 2 },
    });
    h.enricher.offer(connected('c1'), undefined, 'live');
    await waitFor(() => h.audit.lines.length === 1);
    expect(h.writes[0]!.attributes[MARKER]?.startsWith(`${h.audit.lines[0]!.traceId}.`)).toBe(true);
  });
});

describe('Enricher: markers that do not verify', () => {
  const forged = { [MARKER]: 'f00dfeed-0000-4000-8000-000000000000.forgedforgedforged', 'crm.vip': 'true', 'crm.balance': '1000000', 'crm.accountId': 'ACC-FAKE' };

  it.each([
    ['a forged value', forged],
    ['a trace id without a mac', { ...forged, [MARKER]: 'f00dfeed-0000-4000-8000-000000000000' }],
    ['a valid marker of another conversation', { ...forged, [MARKER]: ours('other-conversation') }],
  ])('enriches over %s, overwriting every prefixed key it names, and says so', async (_name, attrs) => {
    const h = harness({ crm: () => Promise.resolve({ outcome: 'hit', found: true, record: { account: { id: 'ACC-9' } }, latencyMs: 0 }) });
    h.enricher.offer(connected('c1', attrs), undefined, 'backfill');
    await waitFor(() => h.audit.lines.length === 1);
    expect(h.audit.lines[0]).toMatchObject({ event: 'enriched', markerFound: 'forged' });
    expect(h.writes).toHaveLength(1);
    const w = h.writes[0]!.attributes;
    // The CRM gave only the account id: the forged vip and balance are blanked, not left standing.
    expect(w).toMatchObject({ 'crm.accountId': 'ACC-9', 'crm.vip': '', 'crm.balance': '' });
    expect(readMarker(SIGNING.marker, 'c1', w[MARKER]).kind).toBe('valid');
  });

  it('never recovers an enriched line from a marker that does not verify', () => {
    const audit = memoryAuditSink();
    const enricher = new Enricher(
      {
        detect: { queueIds: new Set([Q1]), media: new Set(['call'] as const), trigger: 'agent-connected', target: 'customer', markerKey: MARKER },
        map: { 'Flow.accountId': '/account/id' },
        prefix: 'crm.',
        queueSize: 10,
        concurrency: 1,
        retryAfterMs: 50,
        claimsMax: 100,
        retryDelayMs: 10,
        maxAttempts: 1,
        signing: SIGNING,
        identity: IDENTITY_DEFAULTS,
      },
      {
        writer: { patchParticipantAttributes: () => new Promise(() => undefined) },
        crm: { lookup: () => new Promise(() => undefined) },
        schemas: { current: () => SCHEMA },
        audit,
        logger: silentLogger,
        isAudited: () => false,
      },
    );
    enricher.offer(connected('c1', forged), undefined, 'backfill');
    expect(audit.lines.filter((l) => l.reason === 'recovered')).toEqual([]);
  });
});

describe('Enricher: a PATCH on a conversation that has ended', () => {
  const ended = (id: string) => {
    const b = body('generic', id, 'call', [customer(['connected', 'disconnected']), acd('p-acd', Q1, ['disconnected']), agent('p-agent', Q1, ['connected', 'disconnected'])]) as Record<string, unknown>;
    return { ...b, endTime: '2026-12-07T00:00:00.000Z' };
  };
  const refused = (status: number) => () => Promise.reject(new GenesysApiError('PATCH', status, 'x', `corr-${status}`, undefined, 'no'));

  it.each([
    ['202', () => Promise.resolve({}), true, 'enriched', undefined, 1],
    ['404, read back ended', refused(404), true, 'skipped', 'conversation-ended', 1],
    ['400, read back ended', refused(400), true, 'skipped', 'conversation-ended', 1],
    ['404, read back live', refused(404), false, 'failed', 'genesys-404', 1],
    ['400, read back live (permanent: not retried)', refused(400), false, 'failed', 'genesys-400', 1],
    ['timeout, read back ended', () => Promise.reject(new GenesysNetworkError('PATCH', 'ECONNRESET')), true, 'skipped', 'conversation-ended', 1],
  ] as const)('%s -> %s %s', async (_name, write, isEnded, event, reason, writes) => {
    const h = harness({ write, read: (id) => Promise.resolve(isEnded ? ended(id) : connected(id)), options: { maxAttempts: 3 } });
    h.enricher.offer(connected('c1'), undefined, 'live');
    await waitFor(() => h.audit.lines.length === 1);
    await h.enricher.drain(1_000);
    expect(h.audit.lines).toEqual([expect.objectContaining({ event, ...(reason !== undefined && { reason }) })]);
    expect(h.writes).toHaveLength(writes);
  });
});

describe('Enricher: lookup keys and their sources', () => {
  const TEMPLATE = parseCrmTemplate('http://127.0.0.1:1/customers/{attr:account?}?phone={phone?}&email={email?}');
  // A CRM fake that renders the real template, so refusals come from the real renderer.
  const crm = (ctx: CrmContext): Promise<CrmResult> => {
    const r = renderCrmLookup(TEMPLATE, ctx);
    if (r.ok) return Promise.resolve({ outcome: 'miss', found: true, record: RECORD, latencyMs: 1 });
    return Promise.resolve({ outcome: 'error', found: false, latencyMs: 0, error: r.reason, ...(r.placeholder !== undefined && { placeholder: r.placeholder }) });
  };
  const callback = (numbers: string[]) =>
    JSON.parse(
      JSON.stringify({
        id: 'cb1',
        participants: [
          { id: 'p-cust', purpose: 'customer', attributes: {}, callbacks: [{ state: 'connected', callbackNumbers: numbers }] },
          { id: 'p-acd', purpose: 'acd', queueId: Q1, callbacks: [{ state: 'disconnected' }] },
          { id: 'p-agent', purpose: 'agent', queueId: Q1, callbacks: [{ state: 'connected' }], calls: [{ state: 'connected' }] },
        ],
      }),
    ) as unknown;

  it('says on the enriched line which source gave each key', async () => {
    const h = harness({ crm });
    h.enricher.offer(callback(['', '+4915199887766']), undefined, 'live');
    await waitFor(() => h.audit.lines.length === 1);
    expect(h.lookups[0]).toMatchObject({ phone: '+4915199887766' });
    expect(h.audit.lines[0]).toMatchObject({ event: 'enriched', media: 'callback', keySources: { phone: 'callbackNumbers' } });
    expect(JSON.stringify(h.audit.lines[0])).not.toContain('4915199887766');
  });

  it('skips a conversation without a usable key, listing the sources tried and no value', async () => {
    const h = harness({ crm });
    h.enricher.offer(callback(['']), undefined, 'live');
    await waitFor(() => h.audit.lines.length === 1);
    const line = h.audit.lines[0]!;
    expect(line).toMatchObject({ event: 'skipped', reason: 'no-lookup-key', sourcesTried: ['callbackNumbers', 'ani', 'address', 'externalContact'] });
    expect(line.keySources).toBeUndefined();
    expect(h.writes).toHaveLength(0);
  });

  it('skips a value that could move the request, naming the placeholder and never the value', async () => {
    const h = harness({ crm });
    h.enricher.offer(connected('c1', { account: '%2e%2e' }), undefined, 'live');
    await waitFor(() => h.audit.lines.length === 1);
    const line = h.audit.lines[0]!;
    expect(line).toMatchObject({ event: 'skipped', reason: 'invalid-lookup-key', placeholder: '{attr:account?}', keySources: { phone: 'address' } });
    expect(JSON.stringify(line)).not.toMatch(/2e%2e|4915112345678/);
    expect(h.writes).toHaveLength(0);
  });

  it('uses the configured sources of the medium', async () => {
    const chat = body('generic', 'ch1', 'chat', [
      { ...customer(['connected'], { 'context.Email': 'ann@example.com' }), address: '5ee38185@guest.example.com' },
      acd('p-acd', Q1, ['disconnected']),
      agent('p-agent', Q1, ['connected']),
    ]);
    const h = harness({ crm, options: { identity: { ...IDENTITY_DEFAULTS, chat: ['attr:context.email', 'externalContact'] } } });
    h.enricher.offer(chat, undefined, 'live');
    await waitFor(() => h.audit.lines.length === 1);
    expect(h.lookups[0]).toMatchObject({ email: 'ann@example.com' });
    expect(h.lookups[0]?.phone).toBeUndefined();
    expect(h.audit.lines[0]).toMatchObject({ event: 'enriched', keySources: { email: 'attr:context.email' } });
  });
});
