// The truth API: one entry per conversation the sandbox played, read in process and over the
// control API, and the fake CRM finding each known customer by any identifier the truth lists.
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeCrm, type FakeCrm } from '../../../src/sandbox/crm/index.js';
import type { Sandbox } from '../../../src/sandbox/index.js';
import type { ConversationTruth } from '../../../src/sandbox/org/truth.js';
import { start } from './harness.js';

let sandbox: Sandbox | undefined;
let crm: FakeCrm | undefined;

afterEach(async () => {
  sandbox?.traffic.stop();
  await sandbox?.stop();
  await crm?.stop();
  sandbox = undefined;
  crm = undefined;
});

async function lookup(query: Record<string, string>): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${crm!.url}/customers?${new URLSearchParams(query).toString()}`);
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as unknown };
}

describe('the truth API', () => {
  it('lists every played conversation with its queue, medium, customer, connect and end', async () => {
    const sb = (sandbox = await start());
    await sb.traffic.play(60, { ratePerSec: 2_000, speed: 50_000, seed: 31 });
    const truth = sb.org.truth();
    expect(truth).toHaveLength(60);
    expect(new Set(truth.map((t) => t.id)).size).toBe(60);
    const queueIds = sb.options.queues.map((q) => q.id);
    for (const t of truth) {
      expect(t.endedAt).toEqual(expect.any(Number));
      expect(t.customerParticipantId).not.toBe('');
      if (t.queueId !== undefined) {
        expect(queueIds).toContain(t.queueId);
        expect(t.queueIds[0]).toBe(t.queueId);
      } else {
        expect(t.queueIds).toEqual([]);
      }
      // Exactly the conversations the org saw an agent connect in.
      expect(t.agentConnected).toBe(sb.org.connected.has(t.id));
      if (t.agentConnected) expect(t.connectedAt).toBeLessThanOrEqual(t.endedAt!);
      else expect(t.connectedAt).toBeUndefined();
    }
    expect(truth.some((t) => t.agentConnected)).toBe(true);
    expect(truth.some((t) => !t.agentConnected)).toBe(true);
    // About one customer in ten is unknown to the CRM (60 draws: allow a wide band).
    const unknown = truth.filter((t) => t.crmCustomerId === undefined).length;
    expect(unknown).toBeGreaterThan(0);
    expect(unknown).toBeLessThan(20);
  });

  it('answers the same entries on GET /sandbox/truth', async () => {
    const sb = (sandbox = await start());
    await sb.traffic.play(10, { ratePerSec: 2_000, speed: 50_000, seed: 4 });
    const res = await fetch(`${sb.url}/sandbox/truth`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as ConversationTruth[];
    expect(body).toEqual(sb.org.truth());
    expect(body).toHaveLength(10);
  });

  it('gives identifiers the CRM resolves to the truth customer, and 404 for the unknown ones', async () => {
    const sb = (sandbox = await start());
    crm = await startFakeCrm({ directory: sb.org.customers, seed: 3 });
    await sb.traffic.play(80, { ratePerSec: 2_000, speed: 50_000, seed: 12 });
    const truth = sb.org.truth();
    let known = 0;
    let unknown = 0;
    for (const t of truth) {
      for (const id of t.identifiers) {
        const answer = await lookup({ [id.kind]: id.value });
        if (t.crmCustomerId === undefined) {
          unknown++;
          expect(answer.status).toBe(404);
        } else {
          known++;
          expect(answer).toEqual({ status: 200, body: crm.recordOf(t.crmCustomerId) });
        }
      }
    }
    expect(known).toBeGreaterThan(20);
    expect(unknown).toBeGreaterThan(0);
  });
});
