// Faults after an applied write: the PATCH is applied, then its answer comes late (past the
// client's timeout), never (connection reset), or as a 5xx/429; before-faults apply nothing; slow
// spells; every fault counted by kind, in process and over the control API.
import { afterEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../../src/sandbox/index.js';
import { start } from './harness.js';

let sandbox: Sandbox | undefined;

afterEach(async () => {
  sandbox?.traffic.stop();
  await sandbox?.stop();
  sandbox = undefined;
});

const PATCH = '/api/v2/conversations/{conversationId}/participants/{participantId}/attributes';
const QUEUES = '/api/v2/routing/queues';

interface Rig {
  readonly sb: Sandbox;
  readonly token: string;
  readonly conversationId: string;
  readonly customerId: string;
}

async function rig(): Promise<Rig> {
  const sb = (sandbox = await start());
  const res = await fetch(`${sb.url}/oauth/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from('sandbox-client:sandbox-secret').toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  const { access_token: token } = (await res.json()) as { access_token: string };
  sb.traffic.pause();
  const conv = await sb.traffic.startOne({ media: 'call', script: 'connect', queueId: sb.options.queues[0]!.id, seed: 8 });
  return { sb, token, conversationId: conv.id, customerId: conv.participants.find((p) => p.purpose === 'customer')!.id };
}

/** PATCHes attributes with a client timeout; resolves with the status, or the way it failed. */
async function patch(r: Rig, attributes: Record<string, string>, timeoutMs = 10_000): Promise<{ status: number; retryAfter: string | null } | 'timeout' | 'reset'> {
  try {
    const res = await fetch(`${r.sb.url}/api/v2/conversations/${r.conversationId}/participants/${r.customerId}/attributes`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${r.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ attributes }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.text();
    return { status: res.status, retryAfter: res.headers.get('retry-after') };
  } catch (err) {
    return (err as Error).name === 'TimeoutError' ? 'timeout' : 'reset';
  }
}

describe('faults after the write', () => {
  it('late: the write is applied, the answer comes after the client gave up, and is marked lost', async () => {
    const r = await rig();
    r.sb.faults.add({ endpoint: PATCH, method: 'PATCH', phase: 'after', effect: 'late', delayMs: 2_500, count: 1 });
    expect(await patch(r, { 'crm.tier': 'gold' }, 1_000)).toBe('timeout');
    expect(r.sb.org.writes).toMatchObject([{ conversationId: r.conversationId, attributes: { 'crm.tier': 'gold' } }]);
    await expect.poll(() => r.sb.org.writes[0]?.answerFault, { timeout: 5_000 }).toEqual({ effect: 'late', delivered: false });
    expect(r.sb.faults.counts()).toEqual({ 'after/late': 1 });
    // The next PATCH is not hit (count 1) and is answered at once.
    expect(await patch(r, { 'crm.tier': 'silver' })).toMatchObject({ status: 202 });
    expect(r.sb.org.writes[1]).not.toHaveProperty('answerFault');
  });

  it('late but awaited: the answer arrives after the delay and is marked delivered', async () => {
    const r = await rig();
    r.sb.faults.add({ endpoint: PATCH, phase: 'after', effect: 'late', delayMs: 1_000, count: 1 });
    const began = performance.now();
    expect(await patch(r, { a: '1' })).toMatchObject({ status: 202 });
    expect(performance.now() - began).toBeGreaterThanOrEqual(990);
    expect(r.sb.org.writes[0]?.answerFault).toEqual({ effect: 'late', delivered: true });
  });

  it('reset: the write is applied and the connection is reset without an answer', async () => {
    const r = await rig();
    r.sb.faults.add({ endpoint: PATCH, phase: 'after', effect: 'reset', count: 1 });
    expect(await patch(r, { 'crm.tier': 'gold' })).toBe('reset');
    expect(r.sb.org.writes).toMatchObject([{ attributes: { 'crm.tier': 'gold' }, answerFault: { effect: 'reset' } }]);
    expect(r.sb.calls.at(-1)).toMatchObject({ method: 'PATCH', status: 0, fault: 'after/reset' });
    expect(r.sb.faults.counts()).toEqual({ 'after/reset': 1 });
  });

  it.each([
    [503, undefined, null],
    [500, undefined, null],
    [429, 86_400, '86400'],
  ] as const)('status %i: the write is applied and the answer is the failure', async (status, retryAfterS, header) => {
    const r = await rig();
    r.sb.faults.add({ endpoint: PATCH, phase: 'after', status, count: 1, ...(retryAfterS !== undefined && { retryAfterS }) });
    expect(await patch(r, { x: '1' })).toEqual({ status, retryAfter: header });
    expect(r.sb.org.writes).toMatchObject([{ attributes: { x: '1' }, answerFault: { effect: 'status', status } }]);
    expect(r.sb.faults.counts()).toEqual({ [`after/${status}`]: 1 });
    expect(r.sb.faults.injected.get(status)).toBe(1);
  });

  it('before-faults apply nothing (status and reset)', async () => {
    const r = await rig();
    r.sb.faults.add({ endpoint: PATCH, status: 503, count: 1 });
    r.sb.faults.add({ endpoint: PATCH, effect: 'reset', count: 1 });
    expect(await patch(r, { x: '1' })).toMatchObject({ status: 503 });
    expect(await patch(r, { x: '2' })).toBe('reset');
    expect(r.sb.org.writes).toEqual([]);
    expect(await patch(r, { x: '3' })).toMatchObject({ status: 202 });
    expect(r.sb.org.writes.map((w) => w.attributes)).toEqual([{ x: '3' }]);
    expect(r.sb.faults.counts()).toEqual({ 'before/503': 1, 'before/reset': 1 });
  });

  it('a share-based after-fault fires for about that share of calls, each counted', async () => {
    const r = await rig();
    r.sb.faults.add({ endpoint: PATCH, phase: 'after', status: 502, share: 0.5 });
    const answers = [];
    for (let i = 0; i < 40; i++) answers.push(await patch(r, { i: String(i) }));
    const failed = answers.filter((a) => typeof a === 'object' && a.status === 502).length;
    expect(failed).toBeGreaterThan(5);
    expect(failed).toBeLessThan(35);
    expect(r.sb.org.writes).toHaveLength(40); // every one applied
    expect(r.sb.org.writes.filter((w) => w.answerFault !== undefined)).toHaveLength(failed);
    expect(r.sb.faults.counts()).toEqual({ 'after/502': failed });
  });
});

describe('slow spells and the control API', () => {
  it('slows an endpoint only inside its window', async () => {
    const r = await rig();
    const get = async (): Promise<number> => {
      const began = performance.now();
      const res = await fetch(`${r.sb.url}${QUEUES}`, { headers: { authorization: `Bearer ${r.token}` } });
      await res.text();
      return performance.now() - began;
    };
    r.sb.faults.addSlowSpell({ endpoint: QUEUES, latencyMs: 5_000, startAt: Date.now() - 20_000, durationMs: 10_000 }); // over
    r.sb.faults.addSlowSpell({ endpoint: '/api/v2/flows', latencyMs: 5_000, durationMs: 60_000 }); // another endpoint
    await get();
    expect(r.sb.faults.counts()).toEqual({});
    r.sb.faults.addSlowSpell({ endpoint: QUEUES, latencyMs: 1_000, durationMs: 60_000 });
    expect(await get()).toBeGreaterThanOrEqual(990);
    expect(r.sb.faults.counts()).toEqual({ 'spell/slow': 1 });
  });

  it('an answer spell applies PATCHes at once and holds their answers past the client timeout', async () => {
    const r = await rig();
    r.sb.faults.addSlowSpell({ endpoint: PATCH, phase: 'after', latencyMs: 2_500, durationMs: 60_000 });
    expect(await patch(r, { x: '1' }, 1_000)).toBe('timeout');
    expect(r.sb.org.writes).toMatchObject([{ attributes: { x: '1' } }]);
    await expect.poll(() => r.sb.org.writes[0]?.answerFault, { timeout: 5_000 }).toEqual({ effect: 'late', delivered: false });
    expect(r.sb.faults.counts()).toEqual({ 'spell/slow-answer': 1 });
  });

  it('a before spell applies a PATCH late, even after its client gave up', async () => {
    const r = await rig();
    r.sb.faults.addSlowSpell({ endpoint: PATCH, latencyMs: 2_000, durationMs: 60_000 });
    expect(await patch(r, { x: '1' }, 1_000)).toBe('timeout');
    expect(r.sb.org.writes).toEqual([]);
    await expect.poll(() => r.sb.org.writes.length, { timeout: 5_000 }).toBe(1);
    expect(r.sb.faults.counts()).toEqual({ 'spell/slow': 1 });
  });

  it('takes rules and spells over HTTP, refuses broken ones, and reports the counts', async () => {
    const r = await rig();
    const post = (path: string, body: unknown) =>
      fetch(`${r.sb.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post('/sandbox/faults', { endpoint: PATCH, phase: 'after', effect: 'reset', count: 1 })).status).toBe(200);
    expect((await post('/sandbox/faults', { endpoint: PATCH, effect: 'status' })).status).toBe(400);
    expect((await post('/sandbox/faults', { endpoint: PATCH, effect: 'explode', status: 500 })).status).toBe(400);
    expect((await post('/sandbox/slow-spell', { endpoint: QUEUES, latencyMs: 10, durationMs: 0 })).status).toBe(400);
    expect((await post('/sandbox/slow-spell', { endpoint: QUEUES, latencyMs: 10, durationMs: 1_000 })).status).toBe(200);
    expect(await patch(r, { x: '1' })).toBe('reset');
    const counts = await (await fetch(`${r.sb.url}/sandbox/faults`)).json();
    expect(counts).toEqual({ 'after/reset': 1 });
    const stats = (await (await fetch(`${r.sb.url}/sandbox/stats`)).json()) as { faults: unknown };
    expect(stats.faults).toEqual({ 'after/reset': 1 });
    const writes = (await (await fetch(`${r.sb.url}/sandbox/writes`)).json()) as unknown[];
    expect(writes).toMatchObject([{ answerFault: { effect: 'reset' } }]);
  });
});
