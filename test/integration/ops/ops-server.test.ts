/** The ops endpoint over real HTTP on port 0: each route, 200 vs 503, Prometheus text, HEAD, close. */
import { request, Agent } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../../src/log.js';
import { startOpsServer, OpsServerError, type OpsServer } from '../../../src/ops/http.js';
import { Metrics } from '../../../src/ops/metrics.js';
import type { ReadinessReport } from '../../../src/ops/readiness.js';
import { parsePromText, sampleValue } from './prom-text.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function call(url: string, path: string, method = 'GET', agent?: Agent): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method, ...(agent && { agent }) }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, headers: res.headers, body }); });
    });
    req.on('error', reject);
    req.end();
  });
}

function recordingLogger(): Logger & { lines: { level: string; message: string; fields?: Record<string, unknown> }[] } {
  const lines: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
  const at = (level: string) => (message: string, fields?: Record<string, unknown>): void => {
    lines.push({ level, message, ...(fields && { fields }) });
  };
  const logger = { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => logger };
  return logger;
}

const READY: ReadinessReport = { ready: true, checks: [{ name: 'schema', ok: true, detail: 'version 1' }] };
const UNREADY: ReadinessReport = { ready: false, checks: [{ name: 'channel c1', ok: false, detail: 'backoff, not connected' }] };

describe('startOpsServer', () => {
  const servers: OpsServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  async function start(deps: Partial<Parameters<typeof startOpsServer>[1]> = {}): Promise<OpsServer & { metrics: Metrics }> {
    const metrics = deps.metrics ?? new Metrics();
    const server = await startOpsServer({ host: '127.0.0.1', port: 0 }, { metrics, readiness: () => READY, logger: recordingLogger(), ...deps });
    servers.push(server);
    return Object.assign(server, { metrics });
  }

  it('binds the asked host on a free port and reports its URL', async () => {
    const server = await start();
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
  });

  it('answers /healthz with ok', async () => {
    const server = await start();
    const reply = await call(server.url, '/healthz');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(reply.body)).toEqual({ status: 'ok' });
  });

  it.each([
    ['ready', READY, 200, 'ready'],
    ['unready', UNREADY, 503, 'unready'],
  ])('answers /readyz when %s', async (_name, report, status, word) => {
    const server = await start({ readiness: () => report });
    const reply = await call(server.url, '/readyz');
    expect(reply.status).toBe(status);
    expect(JSON.parse(reply.body)).toEqual({ status: word, ready: report.ready, checks: report.checks });
  });

  it('follows readiness as it changes', async () => {
    let report = READY;
    const server = await start({ readiness: () => report });
    expect((await call(server.url, '/readyz')).status).toBe(200);
    report = UNREADY;
    expect((await call(server.url, '/readyz')).status).toBe(503);
  });

  it('answers 503 without a stack trace when the readiness check throws', async () => {
    const logger = recordingLogger();
    const server = await start({ logger, readiness: () => { throw new Error('boom at secret place'); } });
    const reply = await call(server.url, '/readyz');
    expect(reply.status).toBe(503);
    expect(reply.body).not.toMatch(/boom|at |\.ts|\.js/);
    expect(JSON.parse(reply.body).checks).toEqual([{ name: 'readiness', ok: false, detail: 'the readiness check failed' }]);
    expect(logger.lines.some((l) => l.level === 'error' && l.fields?.error === 'boom at secret place')).toBe(true);
  });

  it('serves the registry as Prometheus text that parses, with the counters it was given', async () => {
    const server = await start();
    const { metrics } = server;
    metrics.decisions.inc({ event: 'enriched', reason: 'ok' }, 3);
    metrics.decisions.inc({ event: 'skipped', reason: 'crm-not-found' });
    metrics.genesysCalls.inc({ endpoint: 'PATCH /api/v2/conversations/{conversationId}/participants/{participantId}/attributes', status: '202' }, 2);
    metrics.pipelineLatency.observe({ stage: 'total' }, 0.012);
    metrics.schemaVersion.set({ version: '7' }, 1);
    const reply = await call(server.url, '/metrics');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe(metrics.registry.contentType);
    const text = parsePromText(reply.body);
    expect(text.types.get('genesys_enricher_decisions_total')).toBe('counter');
    expect(text.types.get('genesys_enricher_latency_seconds')).toBe('histogram');
    expect(sampleValue(text, 'genesys_enricher_decisions_total', { event: 'enriched', reason: 'ok' })).toBe(3);
    expect(sampleValue(text, 'genesys_enricher_decisions_total', { event: 'skipped', reason: 'crm-not-found' })).toBe(1);
    expect(sampleValue(text, 'genesys_enricher_genesys_calls_total', { status: '202' })).toBe(2);
    expect(sampleValue(text, 'genesys_enricher_latency_seconds_count', { stage: 'total' })).toBe(1);
    expect(sampleValue(text, 'genesys_enricher_latency_seconds_bucket', { stage: 'total', le: '0.025' })).toBe(1);
    expect(sampleValue(text, 'genesys_enricher_latency_seconds_bucket', { stage: 'total', le: '0.01' })).toBe(0);
    expect(sampleValue(text, 'genesys_enricher_schema_info', { version: '7' })).toBe(1);

    metrics.decisions.inc({ event: 'enriched', reason: 'ok' });
    const again = parsePromText((await call(server.url, '/metrics')).body);
    expect(sampleValue(again, 'genesys_enricher_decisions_total', { event: 'enriched', reason: 'ok' })).toBe(4);
  });

  it('parses with the default process metrics too, which carry no prefix (standard Node dashboards find them)', async () => {
    const server = await start({ metrics: new Metrics({ defaultMetrics: true }) });
    const text = parsePromText((await call(server.url, '/metrics')).body);
    expect(text.samples.some((s) => s.name === 'process_cpu_user_seconds_total')).toBe(true);
    expect(text.samples.some((s) => s.name === 'nodejs_eventloop_lag_seconds')).toBe(true);
    expect(text.samples.some((s) => s.name.startsWith('genesys_enricher_process_') || s.name.startsWith('genesys_enricher_nodejs_'))).toBe(false);
  });

  it('refreshes gauges before each scrape, and still answers when the refresh throws', async () => {
    const logger = recordingLogger();
    let depth = 0;
    let fail = false;
    const metrics = new Metrics();
    const server = await start({
      metrics,
      logger,
      refresh: () => {
        if (fail) throw new Error('daemon half stopped');
        metrics.workQueueDepth.set(++depth);
      },
    });
    expect(sampleValue(parsePromText((await call(server.url, '/metrics')).body), 'genesys_enricher_work_queue_depth')).toBe(1);
    expect(sampleValue(parsePromText((await call(server.url, '/metrics')).body), 'genesys_enricher_work_queue_depth')).toBe(2);
    fail = true;
    const reply = await call(server.url, '/metrics');
    expect(reply.status).toBe(200);
    expect(sampleValue(parsePromText(reply.body), 'genesys_enricher_work_queue_depth')).toBe(2);
    expect(logger.lines.some((l) => l.message === 'metrics refresh failed')).toBe(true);
  });

  it.each([['/healthz', 200], ['/readyz', 503], ['/metrics', 200]])('answers HEAD %s with headers and no body', async (path, status) => {
    const server = await start({ readiness: () => UNREADY });
    const reply = await call(server.url, path, 'HEAD');
    expect(reply.status).toBe(status);
    expect(reply.body).toBe('');
    expect(Number(reply.headers['content-length'])).toBeGreaterThan(0);
  });

  it.each(['/', '/metrics/', '/health', '/readyz/extra', '/metrics.txt'])('answers 404 for %s', async (path) => {
    const server = await start();
    const reply = await call(server.url, path);
    expect(reply.status).toBe(404);
    expect(JSON.parse(reply.body)).toEqual({ error: 'not found' });
  });

  it('ignores the query string', async () => {
    const server = await start();
    expect((await call(server.url, '/healthz?verbose=1')).status).toBe(200);
  });

  it.each(['POST', 'PUT', 'DELETE'])('answers 405 to %s on a known path', async (method) => {
    const server = await start();
    const reply = await call(server.url, '/metrics', method);
    expect(reply.status).toBe(405);
    expect(reply.headers.allow).toBe('GET, HEAD');
  });

  it('closes promptly while a keep-alive connection is idle, and stops answering', async () => {
    const server = await start();
    const agent = new Agent({ keepAlive: true });
    try {
      expect((await call(server.url, '/healthz', 'GET', agent)).status).toBe(200);
      const started = Date.now();
      await server.close();
      // Without closing the idle keep-alive socket this would wait for its timeout (5 s).
      expect(Date.now() - started).toBeLessThan(1_000);
      await expect(call(server.url, '/healthz')).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      agent.destroy();
    }
  });

  it('can be closed twice', async () => {
    const server = await start();
    await server.close();
    await expect(server.close()).resolves.toBeUndefined();
  });

  it('rejects with an OpsServerError naming the address when the port is taken', async () => {
    const first = await start();
    const attempt = startOpsServer({ host: '127.0.0.1', port: first.port }, { metrics: new Metrics(), readiness: () => READY, logger: recordingLogger() });
    await expect(attempt).rejects.toBeInstanceOf(OpsServerError);
    await expect(attempt).rejects.toThrow(`cannot listen on 127.0.0.1:${first.port} (EADDRINUSE)`);
  });
});
