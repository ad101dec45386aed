/**
 * The health, readiness and metrics endpoint (plain node:http, loopback by default):
 *   GET /healthz  200 {"status":"ok","state":...} while the process serves requests (liveness);
 *                 `state` is `starting`, `running` or `stopping`
 *   GET /readyz   200 or 503 with the readiness checks as JSON
 *   GET /metrics  Prometheus text from the daemon's prom-client registry
 * HEAD works on each; other methods get 405, other paths 404. Answers never carry stack traces:
 * a failure is logged by message and answered with a fixed body.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EnricherError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Metrics } from './metrics.js';
import type { ReadinessReport } from './readiness.js';

/** Where to listen (`port` 0 picks a free port). */
export interface OpsListen {
  readonly host: string;
  readonly port: number;
}

/** What the endpoint reads from. */
export interface OpsServerDeps {
  readonly metrics: Metrics;
  readonly readiness: () => ReadinessReport;
  /** The daemon's life-cycle state for `/healthz` (`starting`, `running`, `stopping`). */
  readonly state?: () => string;
  /** Updates gauges that are read on demand, just before a scrape. */
  readonly refresh?: () => void;
  readonly logger: Logger;
}

/** Timings of the endpoint. */
export interface OpsServerOptions {
  /** How long `close()` lets requests in flight finish before cutting their sockets. */
  readonly closeGraceMs: number;
}

/** Defaults of {@link OpsServerOptions}. */
export const OPS_SERVER_DEFAULTS = { closeGraceMs: 1_000 } as const satisfies OpsServerOptions;

/** A listening endpoint. */
export interface OpsServer {
  /** The bound port (the real one when 0 was asked for). */
  readonly port: number;
  /** `http://HOST:PORT` (IPv6 hosts in brackets). */
  readonly url: string;
  /** Stops listening and closes every socket, keep-alive ones included. */
  close(): Promise<void>;
}

/** The endpoint could not start. */
export class OpsServerError extends EnricherError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ops.listen', message, options);
  }
}

type Answer = { readonly status: number; readonly type: string; readonly body: string };

const JSON_TYPE = 'application/json; charset=utf-8';
const ROUTES = new Set(['/healthz', '/readyz', '/metrics']);

/** Starts the endpoint; rejects with {@link OpsServerError} when the address cannot be bound. */
export async function startOpsServer(listen: OpsListen, deps: OpsServerDeps, options: Partial<OpsServerOptions> = {}): Promise<OpsServer> {
  const opts: OpsServerOptions = { ...OPS_SERVER_DEFAULTS, ...options };
  const server = createServer((req, res) => {
    void handle(req, res, deps);
  });
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      reject(new OpsServerError(`cannot listen on ${listen.host}:${listen.port} (${err.code ?? err.message})`, { cause: err }));
    };
    server.once('error', onError);
    server.listen(listen.port, listen.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  // After start-up a server error (rare: e.g. EMFILE on accept) is logged, never fatal.
  server.on('error', (err) => {
    deps.logger.warn('ops http server error', { error: err.message });
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  let closing: Promise<void> | undefined;
  return {
    port,
    url: `http://${host}:${port}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        // Idle keep-alive sockets would hold close() open until they time out: end them now, and
        // any request still being answered after the grace period too.
        const cut = setTimeout(() => {
          server.closeAllConnections();
        }, opts.closeGraceMs);
        cut.unref();
        server.close(() => {
          clearTimeout(cut);
          resolve();
        });
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, deps: OpsServerDeps): Promise<void> {
  let answer: Answer;
  try {
    answer = await route(req, deps);
  } catch (err) {
    deps.logger.error('ops http request failed', { path: pathOf(req).slice(0, 100), error: err instanceof Error ? err.message : 'unknown' });
    answer = json(500, { error: 'internal error' });
  }
  const headers: Record<string, string | number> = {
    'content-type': answer.type,
    'content-length': Buffer.byteLength(answer.body),
    'cache-control': 'no-store',
  };
  if (answer.status === 405) headers.allow = 'GET, HEAD';
  res.writeHead(answer.status, headers);
  // Node sends no body for HEAD on its own; the headers above still describe the GET answer.
  res.end(req.method === 'HEAD' ? undefined : answer.body);
}

async function route(req: IncomingMessage, deps: OpsServerDeps): Promise<Answer> {
  const path = pathOf(req);
  if (!ROUTES.has(path)) return json(404, { error: 'not found' });
  if (req.method !== 'GET' && req.method !== 'HEAD') return json(405, { error: 'method not allowed' });
  if (path === '/healthz') return json(200, { status: 'ok', ...(deps.state && { state: deps.state() }) });
  if (path === '/readyz') return readyz(deps);
  return metrics(deps);
}

function readyz(deps: OpsServerDeps): Answer {
  let report: ReadinessReport;
  try {
    report = deps.readiness();
  } catch (err) {
    // Not knowing whether we are ready is not being ready.
    deps.logger.error('readiness check threw', { error: err instanceof Error ? err.message : 'unknown' });
    report = { ready: false, checks: [{ name: 'readiness', ok: false, detail: 'the readiness check failed' }] };
  }
  return json(report.ready ? 200 : 503, { status: report.ready ? 'ready' : 'unready', ...report });
}

async function metrics(deps: OpsServerDeps): Promise<Answer> {
  try {
    deps.refresh?.();
  } catch (err) {
    // Stale gauges beat no metrics at all.
    deps.logger.warn('metrics refresh failed', { error: err instanceof Error ? err.message : 'unknown' });
  }
  const { registry } = deps.metrics;
  return { status: 200, type: registry.contentType, body: await registry.metrics() };
}

function json(status: number, body: unknown): Answer {
  return { status, type: JSON_TYPE, body: `${JSON.stringify(body)}\n` };
}

function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}
