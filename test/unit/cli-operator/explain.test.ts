import { describe, expect, it } from 'vitest';
import { explainDetection } from '../../../src/cli/operator/explain.js';
import type { Detection } from '../../../src/enrich/detect.js';

const P = { id: 'p1', purpose: 'customer', attributes: {} };
const OPTS = { trigger: 'agent-connected', markerKey: 'crm.enricher.traceId' } as const;

describe('explainDetection', () => {
  it.each<[Detection, RegExp, RegExp]>([
    [{ kind: 'enrich', conversationId: 'c', queueId: 'q1', media: 'call', target: P, customer: P }, /^enrich now \(call\)$/, /agent is connected in watched queue Q1 \(trigger agent-connected\)/],
    [{ kind: 'wait', reason: 'in-queue' }, /^wait: in-queue/, /waiting in a watched queue/],
    [{ kind: 'wait', reason: 'agent-alerting' }, /^wait: agent-alerting/, /alerting/],
    [{ kind: 'wait', reason: 'in-ivr' }, /^wait: in-ivr/, /IVR/],
    [{ kind: 'wait', reason: 'queue-not-configured' }, /^wait/, /does not watch/],
    [{ kind: 'wait', reason: 'something-new' }, /^wait: something-new/, /^something-new$/],
    [{ kind: 'skip', reason: 'already-enriched', conversationId: 'c' }, /^skip: already-enriched/, /marker attribute crm\.enricher\.traceId/],
    [{ kind: 'skip', reason: 'conversation-ended', conversationId: 'c' }, /^skip: conversation-ended/, /customer has left/],
    [{ kind: 'skip', reason: 'media-not-configured', conversationId: 'c' }, /^skip/, /config key media/],
  ])('%o', (d, verdict, why) => {
    const e = explainDetection(d, OPTS, (id) => id.toUpperCase());
    expect(e.verdict).toMatch(verdict);
    expect(e.why).toMatch(why);
  });

  it('names the queued trigger', () => {
    const d: Detection = { kind: 'enrich', conversationId: 'c', queueId: 'q1', media: 'chat', target: P, customer: P };
    expect(explainDetection(d, { ...OPTS, trigger: 'queued' }).why).toBe('it is live in watched queue q1 (trigger queued)');
  });
});
