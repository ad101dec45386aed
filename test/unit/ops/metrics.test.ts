/**
 * The metric registry's conventions, read back through the Prometheus text it exposes: our names
 * prefixed and Node's not, every labelled series present at 0 before anything happened, build_info,
 * and none of the series that repeated others.
 */
import { describe, expect, it } from 'vitest';
import { DECISION_REASONS, FRAME_KINDS, PAUSE_FAMILIES } from '../../../src/ops/metric-labels.js';
import { Metrics } from '../../../src/ops/metrics.js';
import { parsePromText, sampleValue, type PromText } from '../../integration/ops/prom-text.js';

async function exposition(metrics: Metrics): Promise<PromText> {
  return parsePromText(await metrics.registry.metrics());
}

describe('Metrics', () => {
  it('reports build_info with the package version and the Node version', async () => {
    const text = await exposition(new Metrics());
    const info = text.samples.filter((s) => s.name === 'genesys_enricher_build_info');
    expect(info).toEqual([{ name: 'genesys_enricher_build_info', labels: { version: '0.1.0', node: process.versions.node }, value: 1 }]);
  });

  it('takes the build facts it is given', async () => {
    const text = await exposition(new Metrics({ build: { version: '9.9.9', node: '20.0.0' } }));
    expect(sampleValue(text, 'genesys_enricher_build_info', { version: '9.9.9', node: '20.0.0' })).toBe(1);
  });

  it('has every known decision reason at 0 before the first decision', async () => {
    const text = await exposition(new Metrics());
    for (const [event, reasons] of Object.entries(DECISION_REASONS)) {
      for (const reason of reasons) expect(sampleValue(text, 'genesys_enricher_decisions_total', { event, reason }), `${event}/${reason}`).toBe(0);
    }
    expect(sampleValue(text, 'genesys_enricher_decisions_total', { event: 'failed', reason: 'crm-timeout' })).toBe(0);
  });

  it('has the other labelled series at 0 too', async () => {
    const text = await exposition(new Metrics());
    for (const family of PAUSE_FAMILIES) expect(sampleValue(text, 'genesys_enricher_genesys_paused', { family })).toBe(0);
    for (const kind of FRAME_KINDS) expect(sampleValue(text, 'genesys_enricher_frames_total', { kind })).toBe(0);
    for (const outcome of ['hit', 'miss', 'stale', 'timeout', 'error']) expect(sampleValue(text, 'genesys_enricher_crm_lookups_total', { outcome })).toBe(0);
    for (const state of ['open', 'backoff', 'connecting']) expect(sampleValue(text, 'genesys_enricher_channels', { state })).toBe(0);
    for (const stage of ['crm', 'write', 'total']) expect(sampleValue(text, 'genesys_enricher_latency_seconds_count', { stage })).toBe(0);
    expect(sampleValue(text, 'genesys_enricher_conversations_seen_total', { source: 'live' })).toBe(0);
    expect(sampleValue(text, 'genesys_enricher_reconnects_total', { reason: 'pong-timeout' })).toBe(0);
    expect(sampleValue(text, 'genesys_enricher_permission_denied_total', { call: 'GET /api/v2/conversations/{conversationId}' })).toBe(0);
    const patch = 'PATCH /api/v2/conversations/{conversationId}/participants/{participantId}/attributes';
    expect(sampleValue(text, 'genesys_enricher_genesys_calls_total', { endpoint: patch, status: '429' })).toBe(0);
    expect(sampleValue(text, 'genesys_enricher_genesys_calls_total', { endpoint: 'POST /oauth/token', status: 'network' })).toBe(0);
    expect(sampleValue(text, 'genesys_enricher_crm_calls_total', { result: 'failed', reason: 'timeout' })).toBe(0);
    expect(sampleValue(text, 'genesys_enricher_crm_calls_total', { result: 'answered', reason: 'ok' })).toBe(0);
    expect(sampleValue(text, 'genesys_enricher_audit_writable')).toBe(1);
    expect(sampleValue(text, 'genesys_enricher_ready')).toBe(0);
    expect(sampleValue(text, 'genesys_enricher_token_expiry_timestamp_seconds')).toBe(0);
  });

  it('keeps counting on a zero-initialised series', async () => {
    const metrics = new Metrics();
    metrics.decisions.inc({ event: 'failed', reason: 'crm-timeout' });
    expect(sampleValue(await exposition(metrics), 'genesys_enricher_decisions_total', { event: 'failed', reason: 'crm-timeout' })).toBe(1);
  });

  it('drops the series that repeated others (429s are genesys_calls_total{status="429"}, the hit ratio is crm_lookups_total)', async () => {
    const names = new Set((await exposition(new Metrics())).types.keys());
    expect(names.has('genesys_enricher_genesys_429_total')).toBe(false);
    expect(names.has('genesys_enricher_crm_cache_hit_ratio')).toBe(false);
    expect(names.has('genesys_enricher_last_frame_age_seconds')).toBe(false);
    expect(names.has('genesys_enricher_last_frame_timestamp_seconds')).toBe(true);
  });

  it('collects the default process metrics without the prefix, only when asked', async () => {
    const plain = await exposition(new Metrics());
    expect(plain.types.has('process_cpu_user_seconds_total')).toBe(false);
    const full = await exposition(new Metrics({ defaultMetrics: true }));
    expect(full.types.get('process_cpu_user_seconds_total')).toBe('counter');
    expect([...full.types.keys()].filter((n) => !n.startsWith('genesys_enricher_')).every((n) => /^(process|nodejs)_/.test(n))).toBe(true);
  });
});
