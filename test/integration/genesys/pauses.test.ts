// 429s scoped and bounded, against the sandbox over real sockets: a day-long Retry-After on the
// PATCH is cut to the cap and writes resume after it; a 429 on the activity query leaves writes
// running; stopping the client during a pause settles every waiting call at once.
import { afterEach, describe, expect, it } from 'vitest';
import { GenesysNetworkError } from '../../../src/genesys/errors.js';
import { waitFor } from '../../helpers/wait-for.js';
import { recordingLogger, startRig, type Rig } from './harness.js';

const PATCH = '/api/v2/conversations/{conversationId}/participants/{participantId}/attributes';
const ACTIVITY = '/api/v2/analytics/conversations/activity/query';
const DAY_S = 86_400;

let rig: Rig | undefined;

afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

/** A connected call and its customer participant. */
async function connectedCall(r: Rig): Promise<{ id: string; customerId: string }> {
  r.sandbox.traffic.pause();
  const conv = await r.sandbox.traffic.startOne({ media: 'call', script: 'connect', queueId: r.sandbox.options.queues[0]!.id });
  while (!r.sandbox.org.connected.has(conv.id)) r.sandbox.traffic.step(conv.id);
  const customer = r.sandbox.org.conversations.get(conv.id)!.participants.find((p) => p.purpose === 'customer')!;
  return { id: conv.id, customerId: customer.id };
}

function remaining(r: Rig, family: string): number {
  return r.client.pauses().find((p) => p.family === family)?.remainingMs ?? -1;
}

describe('a 429 with Retry-After: 86400 on the attribute PATCH', () => {
  it('pauses writes for the cap only, warns that the cap applied, then the write goes through', async () => {
    const capMs = 1_500;
    const logger = recordingLogger();
    rig = await startRig({}, { retryAfterCapMs: capMs }, { logger });
    const { client, sandbox } = rig;
    const call = await connectedCall(rig);
    sandbox.faults.add({ endpoint: PATCH, status: 429, count: 1, retryAfterS: DAY_S });

    const started = Date.now();
    const write = client.patchParticipantAttributes(call.id, call.customerId, { 'enricher.tier': 'gold' });
    await waitFor(() => remaining(rig!, 'writes') > 0, { what: 'the writes pause' });
    expect(remaining(rig, 'writes')).toBeLessThanOrEqual(capMs);
    expect(remaining(rig, 'analytics')).toBe(0);
    await write;
    expect(Date.now() - started).toBeGreaterThanOrEqual(capMs);

    const patches = sandbox.calls.filter((c) => c.endpoint === PATCH);
    expect(patches.map((c) => c.status)).toEqual([429, 202]);
    expect(patches[1]!.at - patches[0]!.at).toBeGreaterThanOrEqual(capMs - 5);
    const capped = logger.lines.filter((l) => l.level === 'warn' && l.fields.family === 'writes');
    expect(capped).toHaveLength(1);
    expect(capped[0]!.fields).toMatchObject({ pauseMs: capMs, retryAfterMs: DAY_S * 1000, scope: 'family' });
    expect(capped[0]!.message).toContain('cap');
  });
});

describe('a 429 on the activity query', () => {
  it('pauses the catch-up query only: writes keep going at once', async () => {
    rig = await startRig({}, { retryAfterCapMs: 60_000 });
    const { client, sandbox } = rig;
    const call = await connectedCall(rig);
    sandbox.faults.add({ endpoint: ACTIVITY, status: 429, count: 1, retryAfterS: DAY_S });

    const query = client.activeConversations([sandbox.options.queues[0]!.id]).catch((err: unknown) => err);
    await waitFor(() => remaining(rig!, 'analytics') > 0, { what: 'the analytics pause' });
    await client.patchParticipantAttributes(call.id, call.customerId, { 'enricher.tier': 'gold' });
    expect(sandbox.calls.filter((c) => c.endpoint === PATCH).map((c) => c.status)).toEqual([202]);
    expect(remaining(rig, 'writes')).toBe(0);
    expect(remaining(rig, 'analytics')).toBeGreaterThan(50_000);

    // Stopping the client settles the query that still waits out its pause.
    await client.close();
    expect(await query).toBeInstanceOf(GenesysNetworkError);
  });
});

describe('stopping the client during a pause', () => {
  it('rejects every waiting call at once with a closed error', async () => {
    rig = await startRig({}, { retryAfterCapMs: 60_000, maxConcurrentRequests: 1 });
    const { client, sandbox } = rig;
    const call = await connectedCall(rig);
    sandbox.faults.add({ endpoint: PATCH, status: 429, count: 1, retryAfterS: DAY_S });
    const waiting = [
      client.patchParticipantAttributes(call.id, call.customerId, { a: '1' }),
      client.patchParticipantAttributes(call.id, call.customerId, { b: '2' }),
      client.patchParticipantAttributes(call.id, call.customerId, { c: '3' }),
    ].map((p) => p.then(() => 'resolved', (err: unknown) => err));
    await waitFor(() => remaining(rig!, 'writes') > 0, { what: 'the writes pause' });

    const stopping = Date.now();
    await client.close();
    const outcomes = await Promise.all(waiting);
    // Far inside the minute-long pause: nothing waited for it.
    expect(Date.now() - stopping).toBeLessThan(5_000);
    for (const outcome of outcomes) {
      expect(outcome).toBeInstanceOf(GenesysNetworkError);
      expect(outcome).toMatchObject({ reason: 'closed' });
    }
  });
});
