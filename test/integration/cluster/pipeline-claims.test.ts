// Two pipelines (two instances) sharing claims in one real redis-server: one write per
// conversation between them, none while Redis is away, and a take-over when the holder dies.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisClaims } from '../../../src/cluster/claims.js';
import { createRedisClient, probeRedis, type RedisClient } from '../../../src/cluster/connect.js';
import { ClusterCoordinator } from '../../../src/cluster/coordinator.js';
import { clusterKeys } from '../../../src/cluster/keys.js';
import type { CrmResult } from '../../../src/crm/types.js';
import { IDENTITY_DEFAULTS } from '../../../src/enrich/identity.js';
import { Enricher } from '../../../src/enrich/pipeline.js';
import { silentLogger } from '../../../src/log.js';
import { compileSchema } from '../../../src/schema/compile.js';
import { deriveSigningKeys } from '../../../src/signing.js';
import { memoryAuditSink } from '../../../src/sinks/audit.js';
import { RedisServer, skipWithoutRedis } from '../../helpers/redis-server.js';
import { waitFor } from '../../helpers/wait-for.js';
import { acd, agent, body, customer, ivr, Q1 } from '../../unit/enrich/fixtures.js';

const SIGNING = deriveSigningKeys({ clientSecret: 'cluster-test-secret' });
const SCHEMA = compileSchema({ type: 'object', properties: { 'Flow.accountId': { type: 'string' } } }, { versionId: '1', maxValueLength: 256 });
const FOUND: CrmResult = { outcome: 'miss', found: true, record: { account: { id: 'ACC-1' } }, latencyMs: 1 };
const connected = (id: string, attributes?: Record<string, string>) =>
  body('generic', id, 'call', [customer(['connected'], attributes), ivr(['disconnected']), acd('p-acd', Q1, ['disconnected']), agent('p-agent', Q1, ['connected'])]);

interface Instance {
  readonly enricher: Enricher;
  readonly coordinator: ClusterCoordinator;
  readonly audit: ReturnType<typeof memoryAuditSink>;
}

describe.skipIf(skipWithoutRedis())('pipelines sharing claims through Redis', () => {
  let server: RedisServer;
  const clients: RedisClient[] = [];
  const coordinators: ClusterCoordinator[] = [];
  /** Every PATCH any instance sent: [instance, conversationId]. */
  let writes: [string, string][] = [];
  /** What the PATCHes put on each conversation's customer. */
  const written = new Map<string, Record<string, string>>();

  beforeAll(async () => {
    server = await RedisServer.start();
  });
  afterEach(() => {
    writes = [];
    written.clear();
    for (const c of coordinators.splice(0)) c.close();
    for (const c of clients.splice(0)) c.disconnect();
  });
  afterAll(async () => {
    await server.stop();
  });

  async function instance(name: string, cluster: string, opts: { leaseMs?: number; renewMs?: number; writeMs?: number; crm?: () => Promise<CrmResult>; afterWrite?: () => void } = {}): Promise<Instance> {
    const client = createRedisClient(server.url, { connectTimeoutMs: 1_000, connectionName: name, failFast: true });
    clients.push(client);
    await probeRedis(client, server.url, 2_000);
    const leaseMs = opts.leaseMs ?? 30_000;
    const claims = new RedisClaims(client, clusterKeys(cluster, (id) => id), { instanceId: name, leaseMs, doneRetentionMs: 86_400_000 }, randomUUID);
    const coordinator = new ClusterCoordinator(claims, client, { leaseMs, retryDelayMs: 100, ...(opts.renewMs !== undefined && { renewMs: opts.renewMs }) });
    coordinators.push(coordinator);
    const audit = memoryAuditSink();
    const enricher = new Enricher(
      {
        detect: { queueIds: new Set([Q1]), media: new Set(['call'] as const), trigger: 'agent-connected', target: 'customer', markerKey: 'enricher.traceId' },
        identity: IDENTITY_DEFAULTS,
        map: { 'Flow.accountId': '/account/id' },
        prefix: '',
        queueSize: 100,
        concurrency: 4,
        retryAfterMs: 50,
        claimsMax: 1000,
        retryDelayMs: 10,
        maxAttempts: 2,
        signing: SIGNING,
      },
      {
        writer: {
          patchParticipantAttributes: async (conversationId, _participantId, attributes) => {
            if (opts.writeMs !== undefined) await new Promise((resolve) => setTimeout(resolve, opts.writeMs));
            writes.push([name, conversationId]);
            written.set(conversationId, { ...attributes });
            opts.afterWrite?.();
            return {};
          },
        },
        // The conversation as Genesys would show it now: with whatever was written into it.
        reader: { getConversation: (id) => Promise.resolve(connected(id, written.get(id))) },
        crm: { lookup: opts.crm ?? (() => Promise.resolve(FOUND)) },
        schemas: { current: () => SCHEMA },
        audit,
        logger: silentLogger,
        shared: coordinator,
      },
    );
    return { enricher, coordinator, audit };
  }

  const enrichedLines = (...all: Instance[]) => all.flatMap((i) => i.audit.lines.filter((l) => l.event === 'enriched'));

  it('writes each conversation once across the instances, with one enriched line in all', async () => {
    const cluster = randomUUID();
    const [a, b, c] = [await instance('a', cluster), await instance('b', cluster), await instance('c', cluster)];
    const ids = Array.from({ length: 20 }, () => randomUUID());
    for (const id of ids) for (const i of [a, b, c]) i.enricher.offer(connected(id), 'call', 'live');
    await waitFor(() => enrichedLines(a, b, c).length === ids.length, { what: 'all enriched' });
    // Give the losers time to finish their claim attempts, then count again.
    await waitFor(() => [a, b, c].every((i) => i.coordinator.availability().waiting === 0 && i.enricher.depth === 0), { what: 'idle' });
    expect(writes.map(([, id]) => id).sort()).toEqual([...ids].sort());
    expect(enrichedLines(a, b, c)).toHaveLength(ids.length);
    // A later snapshot on any instance is a no-op: the claim answers "done".
    for (const id of ids) b.enricher.offer(connected(id), 'call', 'backfill');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(writes).toHaveLength(ids.length);
  });

  it('writes nothing while Redis is down, then writes the waiting conversations once', async () => {
    const cluster = randomUUID();
    const [a, b] = [await instance('a', cluster), await instance('b', cluster)];
    await server.pause();
    try {
      const ids = [randomUUID(), randomUUID(), randomUUID()];
      for (const id of ids) for (const i of [a, b]) i.enricher.offer(connected(id), 'call', 'live');
      await waitFor(() => a.coordinator.availability().waiting >= 3 && b.coordinator.availability().waiting >= 3, { what: 'both wait' });
      expect(a.coordinator.availability()).toMatchObject({ available: false, fault: 'unreachable' });
      expect(writes).toEqual([]);
      await server.resume();
      await waitFor(() => enrichedLines(a, b).length === ids.length, { timeoutMs: 10_000, what: 'enriched after Redis returned' });
      expect(writes.map(([, id]) => id).sort()).toEqual([...ids].sort());
    } finally {
      await server.resume();
    }
  });

  it('lets another instance take over a conversation whose holder died, without a second write', async () => {
    const cluster = randomUUID();
    // a claims, then freezes for good inside the write (it never renews and never answers).
    const a = await instance('a', cluster, { leaseMs: 1_000, renewMs: 60_000, writeMs: 60_000 });
    const b = await instance('b', cluster, { leaseMs: 1_000 });
    const id = randomUUID();
    a.enricher.offer(connected(id), 'call', 'live');
    await waitFor(async () => (await clients[0]!.exists(clusterKeys(cluster, (x) => x).claim(id))) === 1, { what: 'a holds the claim' });
    b.enricher.offer(connected(id), 'call', 'live');
    await waitFor(() => enrichedLines(b).length === 1, { timeoutMs: 8_000, what: 'b takes over after the lease' });
    expect(writes).toEqual([['b', id]]);
  });

  it('does not write again when the holder wrote and died before recording done', async () => {
    const cluster = randomUUID();
    const id = randomUUID();
    const holder: { a?: Instance } = {};
    // a writes, then dies at once: its "done" never reaches Redis and its lease runs out.
    holder.a = await instance('a', cluster, { leaseMs: 1_000, afterWrite: () => holder.a?.coordinator.close() });
    const b = await instance('b', cluster, { leaseMs: 1_000 });
    holder.a.enricher.offer(connected(id), 'call', 'live');
    await waitFor(() => writes.length === 1, { what: 'a writes' });
    // b saw the conversation before the write (no marker in its snapshot).
    b.enricher.offer(connected(id), 'call', 'live');
    await waitFor(() => b.enricher.claims.settled(id) && b.enricher.summary.seen === 0, { timeoutMs: 8_000, what: 'b settles it after the lease' });
    expect(writes).toEqual([['a', id]]);
    expect(b.audit.lines).toEqual([]);
    // ... and b recorded it as done for everyone.
    expect(await b.coordinator.acquire(id)).toMatchObject({ kind: 'done', by: 'b' });
  });

  it('does not write when its lease was taken over while it looked the customer up', async () => {
    const cluster = randomUUID();
    const b = await instance('b', cluster, { leaseMs: 1_000 });
    const id = randomUUID();
    // a: claims, its CRM lookup stalls past the lease with no renewal, then it tries to write.
    let resumeCrm: () => void = () => undefined;
    const crm = () =>
      new Promise<CrmResult>((resolve) => {
        resumeCrm = () => {
          resolve(FOUND);
        };
      });
    const a = await instance('a', cluster, { leaseMs: 1_000, renewMs: 60_000, crm });
    a.enricher.offer(connected(id), 'call', 'live');
    await waitFor(async () => (await clients[1]!.exists(clusterKeys(cluster, (x) => x).claim(id))) === 1, { what: 'a holds the claim' });
    b.enricher.offer(connected(id), 'call', 'live');
    await waitFor(() => enrichedLines(b).length === 1, { timeoutMs: 8_000, what: 'b takes over' });
    resumeCrm();
    await waitFor(() => a.enricher.depth === 0 && a.enricher.summary.seen === 0, { what: 'a gives up' });
    expect(writes).toEqual([['b', id]]);
    expect(enrichedLines(a)).toEqual([]);
  });
});
