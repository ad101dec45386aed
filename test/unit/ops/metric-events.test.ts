/** Component events as metrics: each event moves the series it stands for, and nothing else. */
import { describe, expect, it } from 'vitest';
import { backfillMetrics, callMetrics, channelStateMetrics, crmCallMetrics, enricherMetrics, frameMetrics } from '../../../src/ops/metric-events.js';
import { Metrics } from '../../../src/ops/metrics.js';
import type { AuditLine } from '../../../src/sinks/audit.js';
import { parsePromText, sampleValue, type PromText } from '../../integration/ops/prom-text.js';

const scrape = async (m: Metrics): Promise<PromText> => parsePromText(await m.registry.metrics());

const line = (partial: Partial<AuditLine>): AuditLine =>
  ({ ts: '2026-01-01T00:00:00.000Z', event: 'enriched', conversationId: 'c', traceId: 't', latencyMs: { total: 1 }, ...partial });

describe('enricherMetrics', () => {
  it('an enrichment: a decision with reason ok and one latency sample per stage it has', async () => {
    const m = new Metrics();
    enricherMetrics(m).decided?.(line({ latencyMs: { crm: 20, write: 30, total: 55 } }), 60);
    const t = await scrape(m);
    expect(sampleValue(t, 'genesys_enricher_decisions_total', { event: 'enriched', reason: 'ok' })).toBe(1);
    expect(sampleValue(t, 'genesys_enricher_latency_seconds_sum', { stage: 'total' })).toBeCloseTo(0.06);
    expect(sampleValue(t, 'genesys_enricher_latency_seconds_sum', { stage: 'crm' })).toBeCloseTo(0.02);
    expect(sampleValue(t, 'genesys_enricher_latency_seconds_sum', { stage: 'write' })).toBeCloseTo(0.03);
  });

  it('a skip or failure: the decision with its reason, no latency', async () => {
    const m = new Metrics();
    const events = enricherMetrics(m);
    events.decided?.(line({ event: 'skipped', reason: 'crm-not-found', latencyMs: { crm: 5, total: 6 } }), 7);
    events.decided?.(line({ event: 'failed', reason: 'genesys-502', latencyMs: { total: 6 } }), 7);
    const t = await scrape(m);
    expect(sampleValue(t, 'genesys_enricher_decisions_total', { event: 'skipped', reason: 'crm-not-found' })).toBe(1);
    expect(sampleValue(t, 'genesys_enricher_decisions_total', { event: 'failed', reason: 'genesys-502' })).toBe(1);
    expect(sampleValue(t, 'genesys_enricher_latency_seconds_count', { stage: 'crm' })).toBe(0);
  });

  it('seen, rejected and CRM lookups', async () => {
    const m = new Metrics();
    const events = enricherMetrics(m);
    events.seen?.('backfill');
    events.rejected?.();
    events.crmLookup?.('stale');
    const t = await scrape(m);
    expect(sampleValue(t, 'genesys_enricher_conversations_seen_total', { source: 'backfill' })).toBe(1);
    expect(sampleValue(t, 'genesys_enricher_conversations_seen_total', { source: 'live' })).toBe(0);
    expect(sampleValue(t, 'genesys_enricher_work_queue_rejected_total')).toBe(1);
    expect(sampleValue(t, 'genesys_enricher_crm_lookups_total', { outcome: 'stale' })).toBe(1);
  });
});

describe('the other components', () => {
  it('frames, catch-up fetches, calls, 403s and reconnects', async () => {
    const m = new Metrics();
    frameMetrics(m).frame?.('heartbeat');
    backfillMetrics(m).fetched?.();
    const calls = callMetrics(m);
    calls.onAttempt?.('GET /api/v2/flows', 429, 5);
    calls.onAttempt?.('GET /api/v2/flows', 'network', 5);
    calls.onPermissionDenied?.('GET /api/v2/flows', 'architect:flow:view');
    crmCallMetrics(m)('failed', 'http-502');
    crmCallMetrics(m)('answered');
    const state = channelStateMetrics(m);
    state('open', 'backoff', 'pong-timeout');
    state('open', 'rotating', 'expiry');
    state('connecting', 'open', 'connected');
    const t = await scrape(m);
    expect(sampleValue(t, 'genesys_enricher_frames_total', { kind: 'heartbeat' })).toBe(1);
    expect(sampleValue(t, 'genesys_enricher_backfilled_total')).toBe(1);
    expect(sampleValue(t, 'genesys_enricher_genesys_calls_total', { endpoint: 'GET /api/v2/flows', status: '429' })).toBe(1);
    expect(sampleValue(t, 'genesys_enricher_genesys_calls_total', { endpoint: 'GET /api/v2/flows', status: 'network' })).toBe(1);
    expect(sampleValue(t, 'genesys_enricher_permission_denied_total', { call: 'GET /api/v2/flows' })).toBe(1);
    expect(sampleValue(t, 'genesys_enricher_crm_calls_total', { result: 'failed', reason: 'http-502' })).toBe(1);
    expect(sampleValue(t, 'genesys_enricher_crm_calls_total', { result: 'answered', reason: 'ok' })).toBe(1);
    expect(sampleValue(t, 'genesys_enricher_reconnects_total', { reason: 'pong-timeout' })).toBe(1);
    expect(sampleValue(t, 'genesys_enricher_reconnects_total', { reason: 'expiry' })).toBe(1);
    expect(t.samples.some((s) => s.name === 'genesys_enricher_reconnects_total' && s.labels.reason === 'connected')).toBe(false);
  });
});
