/**
 * The metrics of a real daemon (in-process, ops server on a free loopback port) against the
 * sandbox, scraped as Prometheus would: names follow the conventions, no label carries an id
 * (not even after the channel moved to a new Genesys channel), every known labelled series is
 * there at 0, and build_info, ready and the token expiry say what they should. The shipped alert
 * rules and Grafana dashboard parse, and every series, label and label value they name is in it.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parseConfig } from '../../../src/config/index.js';
import { Daemon } from '../../../src/daemon.js';
import { silentLogger } from '../../../src/log.js';
import { DECISION_REASONS } from '../../../src/ops/metric-labels.js';
import { DEMO_FLOW_ID, startSandbox, type Sandbox } from '../../../src/sandbox/index.js';
import { startFakeCrm, type FakeCrm } from '../../../src/sandbox/crm/index.js';
import { memoryAuditSink } from '../../../src/sinks/audit.js';
import { waitFor } from '../../helpers/wait-for.js';
import { parsePromText, sampleValue, type PromText } from './prom-text.js';
import { selectorsOf } from './promql-refs.js';

// What an id, a phone number or an e-mail address looks like in a label value.
const ID_LIKE = [/[0-9a-f]{8}-[0-9a-f]{4}-/i, /[0-9a-f]{16,}/i, /\+?\d{7,}/, /@/];

let sandbox: Sandbox;
let crm: FakeCrm;
let daemon: Daemon;

async function scrape(): Promise<PromText> {
  const res = await fetch(`${daemon.opsUrl ?? ''}/metrics`);
  expect(res.status).toBe(200);
  return parsePromText(await res.text());
}

beforeAll(async () => {
  sandbox = await startSandbox({ heartbeatIntervalMs: 200, socketClosingDelayMs: 600 });
  crm = await startFakeCrm({});
  const config = parseConfig(
    {
      genesys: { gatewayUrl: sandbox.url, clientId: 'sandbox-client', clientSecret: 'sandbox-secret', requestsPerMinute: 6000 },
      queues: [{ name: 'Support DE' }, { name: 'Sales EN' }],
      flow: { id: DEMO_FLOW_ID },
      crm: { url: `${crm.url}/customers?phone={phone?}&email={email?}` },
      attributes: { prefix: 'crm.', map: { 'Flow.accountId': '/account/id' } },
      audit: { file: '-' },
      http: { listen: '127.0.0.1:0' },
      stream: { heartbeatTimeoutMs: 2_000, pongTimeoutMs: 1_000, reconnectMinMs: 20 },
    },
    { file: 'test.yaml', env: {} },
  );
  daemon = await Daemon.start(config, { logger: silentLogger, audit: memoryAuditSink() });
}, 30_000);

afterAll(async () => {
  sandbox.traffic.stop();
  await daemon.stop();
  await crm.stop();
  await sandbox.stop();
});

describe('/metrics of a daemon against the sandbox', () => {
  it('names: our series prefixed, counters end in _total, process metrics unprefixed', async () => {
    const text = await scrape();
    for (const [name, type] of text.types) {
      expect(name, name).toMatch(/^(genesys_enricher_|process_|nodejs_)/);
      if (type === 'counter') expect(name, name).toMatch(/_total$/);
    }
    expect(text.types.get('process_cpu_user_seconds_total')).toBe('counter');
    expect(text.types.get('nodejs_heap_size_used_bytes')).toBe('gauge');
  });

  it('build_info, ready and the token expiry', async () => {
    const text = await scrape();
    expect(text.samples.filter((s) => s.name === 'genesys_enricher_build_info')).toEqual([
      { name: 'genesys_enricher_build_info', labels: { version: '0.1.0', node: process.versions.node }, value: 1 },
    ]);
    await waitFor(async () => sampleValue(await scrape(), 'genesys_enricher_ready') === 1, { what: 'ready gauge 1' });
    const expiry = sampleValue(await scrape(), 'genesys_enricher_token_expiry_timestamp_seconds') ?? 0;
    // The sandbox issues tokens for about a day.
    expect(expiry).toBeGreaterThan(Date.now() / 1000 + 3_600);
    expect(expiry).toBeLessThan(Date.now() / 1000 + 2 * 86_400);
  });

  it('every known labelled series is there at 0 before anything happened', async () => {
    const text = await scrape();
    for (const [event, reasons] of Object.entries(DECISION_REASONS)) {
      for (const reason of reasons) expect(sampleValue(text, 'genesys_enricher_decisions_total', { event, reason }), `${event}/${reason}`).toBe(0);
    }
    expect(sampleValue(text, 'genesys_enricher_genesys_paused', { family: 'writes' })).toBe(0);
    expect(sampleValue(text, 'genesys_enricher_crm_lookups_total', { outcome: 'timeout' })).toBe(0);
    expect(sampleValue(text, 'genesys_enricher_channels', { state: 'backoff' })).toBe(0);
    expect(sampleValue(text, 'genesys_enricher_reconnects_total', { reason: 'socket-closed' })).toBe(0);
    expect(sampleValue(text, 'genesys_enricher_latency_seconds_count', { stage: 'write' })).toBe(0);
  });

  it('no label carries an id, and a move to a new Genesys channel keeps the one last-frame series of its slot', async () => {
    const firstId = daemon.channelStats()[0]?.channelId;
    await waitFor(async () => (sampleValue(await scrape(), 'genesys_enricher_last_frame_timestamp_seconds', { slot: '0' }) ?? 0) > 0, { what: 'a frame on slot 0' });
    sandbox.hub.socketClosing(undefined, 600);
    await waitFor(() => {
      const c = daemon.channelStats()[0];
      return c?.state === 'open' && c.channelId !== firstId;
    }, { what: 'the channel moved to a new Genesys channel' });
    const before = Date.now() / 1000;
    await waitFor(async () => (sampleValue(await scrape(), 'genesys_enricher_last_frame_timestamp_seconds', { slot: '0' }) ?? 0) >= before - 1, {
      what: 'a recent frame on slot 0',
    });
    const text = await scrape();
    const slots = text.samples.filter((s) => s.name === 'genesys_enricher_last_frame_timestamp_seconds');
    expect(slots.map((s) => s.labels)).toEqual([{ slot: '0' }]);
    expect(sampleValue(text, 'genesys_enricher_reconnects_total', { reason: 'socket-closing' })).toBeGreaterThanOrEqual(1);
    for (const s of text.samples) {
      if (!s.name.startsWith('genesys_enricher_')) continue;
      for (const [label, value] of Object.entries(s.labels)) {
        if (s.name === 'genesys_enricher_build_info' || label === 'le') continue;
        for (const pattern of ID_LIKE) expect(`${s.name}{${label}="${value}"}`).not.toMatch(pattern);
      }
    }
  });
});

// Labels Prometheus adds at scrape time: never in /metrics, always usable in queries.
const TARGET_LABELS = new Set(['instance', 'job']);

/** Checks each selector of `expr` against the scraped exposition; returns the problems found. */
function problemsOf(expr: string, text: PromText): string[] {
  const problems: string[] = [];
  const selectors = selectorsOf(expr);
  if (selectors.length === 0) problems.push(`names no series: ${expr}`);
  for (const { metric, matchers } of selectors) {
    const samples = text.samples.filter((s) => s.name === metric);
    if (samples.length === 0) {
      problems.push(`${metric}: not in /metrics`);
      continue;
    }
    for (const { label, op, value } of matchers) {
      if (TARGET_LABELS.has(label)) continue;
      if (!samples.some((s) => label in s.labels)) {
        problems.push(`${metric}: no label ${label}`);
        continue;
      }
      // Known label values exist at 0 from the start, so a value the daemon never uses shows here.
      const values = samples.map((s) => s.labels[label] ?? '');
      if (op === '=' && !values.includes(value)) problems.push(`${metric}{${label}="${value}"}: no such series`);
      if (op === '=~' && !values.some((v) => new RegExp(`^(?:${value})$`).test(v))) problems.push(`${metric}{${label}=~"${value}"}: matches no series`);
      if (op === '!~') new RegExp(value); // throws on a bad pattern
    }
  }
  return problems;
}

interface AlertRule {
  alert?: unknown;
  expr?: unknown;
  for?: unknown;
  labels?: { severity?: unknown };
  annotations?: { summary?: unknown };
}

describe('config/prometheus-alerts.yaml', () => {
  const doc = parseYaml(readFileSync('config/prometheus-alerts.yaml', 'utf8')) as { groups?: { name?: unknown; rules?: AlertRule[] }[] };
  const rules = (doc.groups ?? []).flatMap((g) => g.rules ?? []);

  it('is a rule file with named, described, graded alerts', () => {
    expect(doc.groups?.length).toBeGreaterThanOrEqual(1);
    for (const g of doc.groups ?? []) expect(typeof g.name).toBe('string');
    const names = rules.map((r) => r.alert);
    expect(new Set(names).size).toBe(names.length);
    for (const rule of rules) {
      expect(rule.alert, JSON.stringify(rule)).toMatch(/^GenesysEnricher[A-Za-z]+$/);
      expect(typeof rule.expr).toBe('string');
      expect(['critical', 'warning']).toContain(rule.labels?.severity);
      expect(typeof rule.annotations?.summary).toBe('string');
      if (rule.for !== undefined) expect(rule.for).toMatch(/^\d+[smh]$/);
    }
  });

  it('covers what an operator needs to hear about', () => {
    const exprs = rules.map((r) => String(r.expr)).join('\n');
    for (const series of [
      'genesys_enricher_ready',
      'genesys_enricher_last_frame_timestamp_seconds',
      'genesys_enricher_decisions_total',
      'genesys_enricher_crm_breaker_open',
      'genesys_enricher_audit_writable',
      'genesys_enricher_genesys_paused',
      'genesys_enricher_limiter_queued',
      'genesys_enricher_permission_denied_total',
    ]) expect(exprs).toContain(series);
  });

  it('names only series, labels and label values the daemon exposes', async () => {
    const text = await scrape();
    const problems = rules.flatMap((r) => problemsOf(String(r.expr), text).map((p) => `${String(r.alert)}: ${p}`));
    expect(problems).toEqual([]);
  });
});

interface Panel {
  id?: unknown;
  type?: unknown;
  title?: unknown;
  datasource?: { uid?: unknown };
  gridPos?: { h?: unknown; w?: unknown; x?: unknown; y?: unknown };
  targets?: { expr?: unknown; refId?: unknown }[];
}

describe('config/grafana-dashboard.json', () => {
  const dash = JSON.parse(readFileSync('config/grafana-dashboard.json', 'utf8')) as {
    uid?: unknown;
    title?: unknown;
    __inputs?: { name?: unknown }[];
    templating?: { list?: { name?: unknown; definition?: unknown }[] };
    panels?: Panel[];
  };
  const panels = dash.panels ?? [];
  const queries = panels.filter((p) => p.type !== 'row');

  it('is an importable dashboard: unique panel ids, placed panels, a Prometheus data source input', () => {
    expect(dash.uid).toBe('genesys-enricher');
    expect(typeof dash.title).toBe('string');
    expect(dash.__inputs?.map((i) => i.name)).toContain('DS_PROMETHEUS');
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(queries.length).toBeGreaterThanOrEqual(10);
    for (const p of queries) {
      expect(typeof p.title).toBe('string');
      expect(p.datasource?.uid).toBe('${DS_PROMETHEUS}');
      expect(Number(p.gridPos?.x) + Number(p.gridPos?.w)).toBeLessThanOrEqual(24);
      expect(p.targets?.length, String(p.title)).toBeGreaterThanOrEqual(1);
      const refIds = (p.targets ?? []).map((t) => t.refId);
      expect(new Set(refIds).size).toBe(refIds.length);
    }
  });

  it('queries only series, labels and label values the daemon exposes', async () => {
    const text = await scrape();
    const problems = queries.flatMap((p) => (p.targets ?? []).flatMap((t) => problemsOf(String(t.expr), text).map((e) => `${String(p.title)}: ${e}`)));
    // The instance picker's query is Grafana's label_values(), not PromQL.
    for (const v of dash.templating?.list ?? []) {
      const m = /^label_values\(([a-zA-Z_:][a-zA-Z0-9_:]*), *([a-zA-Z_]+)\)$/.exec(String(v.definition));
      if (!m) problems.push(`variable ${String(v.name)}: not label_values(metric, label)`);
      else problems.push(...problemsOf(m[1]!, text));
    }
    expect(problems).toEqual([]);
  });
});
