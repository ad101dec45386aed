/**
 * The sandbox's HTTP front: one `node:http` server on 127.0.0.1 for login, the REST API, the
 * control API and (through `upgrade`) the notification websockets. Every answer carries an
 * `inin-correlation-id`; API routes are authenticated, rate limited and subject to faults.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import type { TokenStore } from './auth.js';
import type { AnswerFault, FaultInjector, FiredFault } from './faults.js';
import type { PermissionModel } from './permissions.js';
import type { RateLimiter } from './rate-limit.js';
import { ApiFailure, type Reply, type RequestContext, type Router } from './router.js';

/** One REST call as the sandbox saw it. */
export interface CallRecord {
  /** When the sandbox took the request up (its write, if any, carries the same time). */
  readonly at: number;
  readonly method: string;
  /** Route pattern, or the raw path when no route matched. */
  readonly endpoint: string;
  /** 0 when the connection was reset by an injected fault. */
  readonly status: number;
  readonly clientId?: string;
  /** The injected fault that hit this call (`before/503`, `after/late`, `after/reset`, ...). */
  readonly fault?: string;
}

export type { AnswerFault } from './faults.js';

export interface HttpFrontDeps {
  readonly auth: TokenStore;
  readonly limiter: RateLimiter;
  readonly faults: FaultInjector;
  /** Which permissions each client holds; a route needing a missing one answers 403. */
  readonly permissions?: PermissionModel;
  /** Routes under /api/v2 (authenticated). */
  readonly api: Router;
  /** Routes under /sandbox (no auth: the test control API). */
  readonly control: Router;
  /** Called for every finished API call. */
  readonly onCall: (call: CallRecord) => void;
  /** Called when a fault strikes the answer of an applied call (its request's correlation id). */
  readonly onAnswerFault?: (correlationId: string, fault: AnswerFault) => void;
}

const MAX_BODY_BYTES = 5 * 1024 * 1024;

/** Starts the HTTP server; resolves once it listens. */
export async function startHttpFront(port: number, deps: HttpFrontDeps): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    handle(req, res, deps).catch((err: unknown) => {
      // A bug in a handler must not take the sandbox down; answer 500 like a real gateway would.
      if (!res.headersSent) send(res, 500, { message: String(err), code: 'internal.server.error', status: 500 }, {}, randomUUID());
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return { server, port: (server.address() as AddressInfo).port };
}

async function handle(req: IncomingMessage, res: ServerResponse, deps: HttpFrontDeps): Promise<void> {
  const correlationId = randomUUID();
  const url = new URL(req.url ?? '/', 'http://sandbox.local');
  const method = req.method ?? 'GET';
  const raw = await readBody(req);
  let body: unknown;
  try {
    body = parseBody(raw, req.headers['content-type']);
  } catch {
    send(res, 400, errorBody(400, 'bad.request', 'The request body could not be parsed.', correlationId), {}, correlationId);
    return;
  }
  const path = url.pathname;
  const receivedAt = Date.now();

  if (path === '/oauth/token' && method === 'POST') {
    const reply = deps.auth.login(req.headers.authorization, body);
    send(res, reply.status, reply.body, {}, correlationId);
    return;
  }

  const isApi = path.startsWith('/api/v2/');
  const router = isApi ? deps.api : path.startsWith('/sandbox/') ? deps.control : undefined;
  const matched = router?.match(method, path);
  const endpoint = matched && 'route' in matched ? matched.route.pattern : path;
  let status = 500;
  let clientId: string | undefined;
  let fault: FiredFault | undefined;
  try {
    if (!router || !matched || !('route' in matched)) {
      const code = matched && 'methodMismatch' in matched && matched.methodMismatch ? 405 : 404;
      throw new ApiFailure(code, code === 404 ? 'not.found' : 'method.not.allowed', `No resource for ${method} ${path}`);
    }
    let auth: RequestContext['auth'];
    if (isApi) {
      // A slow endpoint is slow for every answer, 401s included (so concurrent callers of an
      // expired token are all in flight together, as against a real gateway).
      const latency = deps.faults.latencyFor(endpoint);
      if (latency > 0) await delay(latency);
      auth = deps.auth.verify(req.headers.authorization);
      clientId = auth.clientId;
      deps.limiter.take(auth.token);
      deps.permissions?.check(auth.clientId, method, endpoint);
      fault = deps.faults.strike('before', method, endpoint);
      if (fault?.effect === 'status') throw fault.failure;
      if (fault?.effect === 'reset') {
        status = 0;
        req.socket.destroy();
        return;
      }
      if (fault?.effect === 'late' && !(await holdAnswer(req, fault.delayMs))) {
        status = 0; // the client left before the call was even taken up
        return;
      }
    }
    const ctx: RequestContext = {
      req,
      method,
      path,
      params: matched.params,
      query: url.searchParams,
      body,
      correlationId,
      receivedAt,
      ...(auth ? { auth } : {}),
    };
    const reply: Reply = await matched.route.handler(ctx);
    status = reply.status;
    // Faults after an applied call: the route's work stands, its answer fails, comes late or never.
    const after = isApi && reply.status < 300 ? afterFault(deps.faults, method, endpoint) : undefined;
    if (after !== undefined) {
      fault = after;
      if (after.effect === 'status') {
        deps.onAnswerFault?.(correlationId, { effect: 'status', status: after.failure.status });
        throw after.failure;
      }
      if (after.effect === 'reset') {
        deps.onAnswerFault?.(correlationId, { effect: 'reset' });
        status = 0;
        req.socket.destroy();
        return;
      }
      const delivered = await holdAnswer(req, after.delayMs);
      deps.onAnswerFault?.(correlationId, { effect: 'late', delivered });
      if (!delivered) return;
    }
    send(res, reply.status, method === 'HEAD' ? undefined : reply.body, reply.headers ?? {}, correlationId);
  } catch (err) {
    if (!(err instanceof ApiFailure)) throw err;
    status = err.status;
    send(res, err.status, method === 'HEAD' ? undefined : errorBody(err.status, err.code, err.message, correlationId), err.headers, correlationId);
  } finally {
    if (isApi) {
      const faultName = fault === undefined ? undefined : `${fault.phase}/${fault.effect === 'status' ? String(fault.failure.status) : fault.effect}`;
      deps.onCall({ at: receivedAt, method, endpoint, status, ...(clientId ? { clientId } : {}), ...(faultName !== undefined && { fault: faultName }) });
    }
  }
}

/** An `after` rule that fires, else an `after` slow spell in force (a late answer), else nothing. */
function afterFault(faults: FaultInjector, method: string, endpoint: string): FiredFault | undefined {
  const rule = faults.strike('after', method, endpoint);
  if (rule !== undefined) return rule;
  const spellMs = faults.answerLatencyFor(endpoint);
  return spellMs > 0 ? { phase: 'after', effect: 'late', delayMs: spellMs } : undefined;
}

/**
 * Holds an answer for `ms`; false when the client went away meanwhile (the answer is lost, as
 * it would be past a client's timeout). The wait ends early when the socket closes.
 */
async function holdAnswer(req: IncomingMessage, ms: number): Promise<boolean> {
  const socket = req.socket;
  if (socket.destroyed) return false;
  const gone = new AbortController();
  const onClose = (): void => {
    gone.abort();
  };
  socket.once('close', onClose);
  try {
    await delay(ms, undefined, { signal: gone.signal });
  } catch {
    // Aborted: the client closed the connection before the answer was due.
  } finally {
    socket.off('close', onClose);
  }
  return !socket.destroyed;
}

/** The error body Genesys answers with. */
export function errorBody(status: number, code: string, message: string, contextId: string): Record<string, unknown> {
  return { message, code, status, contextId, details: [], errors: [] };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>>, correlationId: string): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'inin-correlation-id': correlationId,
    ...headers,
  });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES) throw new Error('request body too large');
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseBody(raw: string, contentType: string | undefined): unknown {
  if (raw.length === 0) return undefined;
  if (contentType?.includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(raw));
  return JSON.parse(raw) as unknown;
}
