/**
 * A fake CRM on 127.0.0.1 for the sandbox, the tests and demos: `GET /customers?phone=..&email=..
 * &externalContactId=..` (empty parameters ignored). With a customer directory (the sandbox's),
 * each customer is one entity found by any of its identifiers and anything else is a 404; without
 * one, the invented record of the key itself (404 for about one key in ten). Knobs for latency,
 * failures, hangs and per-key overrides, and counters of what it saw.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decisiveKey, type CustomerDirectory } from './directory.js';
import { customerRecord, DEFAULT_CUSTOMER_SEED, entityRecord } from './records.js';

/** How to start the fake CRM. */
export interface FakeCrmOptions {
  /** Port on 127.0.0.1 (0 = any free port). */
  readonly port?: number;
  /** Delay before every answer. */
  readonly latencyMs?: number;
  /** Seed of the invented records and of the random faults. */
  readonly seed?: number;
  /** When set, requests need `Authorization: Bearer <token>` (401 otherwise). */
  readonly token?: string;
  /** The sandbox's customers (`sandbox.org.customers`): lookups resolve to entities, unknown keys are 404. */
  readonly directory?: CustomerDirectory;
}

const FAKE_CRM_DEFAULTS = { port: 0, latencyMs: 0, seed: DEFAULT_CUSTOMER_SEED, failStatus: 500 } as const satisfies Record<string, number>;

/** A running fake CRM and its test knobs. */
export interface FakeCrm {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** A CRM URL template that works for conversations with a phone number, an e-mail address or both. */
  readonly template: string;
  setLatency(ms: number): void;
  /** The next `n` requests are answered `status` (default 500). */
  failNext(n: number, status?: number): void;
  /** This share (0..1) of requests is answered `status` (default 500). */
  setErrorRate(share: number, status?: number): void;
  /** This share (0..1) of requests never gets an answer (until `stop()`). */
  setTimeoutRate(share: number): void;
  /** Answers `record` for `key` instead of the invented one. */
  setRecord(key: string, record: unknown): void;
  /**
   * The JSON the CRM answers for the entity `crmCustomerId` (the truth API's `crmCustomerId`), or
   * undefined when it would answer 404. An override set with {@link setRecord} for that id wins.
   */
  recordOf(crmCustomerId: string): unknown;
  /** Answers 404 for `key`. */
  setNotFound(key: string): void;
  /** Answers `body` as is (e.g. an HTML error page) with `status` (default 200) for `key`. */
  setRaw(key: string, body: string, status?: number): void;
  /** Requests received (all paths, all answers). */
  requests(): number;
  /** Requests being handled right now. */
  inFlight(): number;
  /** Most requests handled at the same time. */
  peakConcurrency(): number;
  /** Back to the start: no overrides, faults, counters; the start latency. */
  reset(): void;
  /** Closes every socket (hanging requests included) and the server. */
  stop(): Promise<void>;
}

type Override = { kind: 'record'; record: unknown } | { kind: 'not-found' } | { kind: 'raw'; body: string; status: number };

interface FakeState {
  latencyMs: number;
  failNext: number;
  failStatus: number;
  errorRate: number;
  errorStatus: number;
  timeoutRate: number;
  requests: number;
  inFlight: number;
  peak: number;
  random: () => number;
  readonly overrides: Map<string, Override>;
}

/** Small deterministic PRNG (mulberry32) so random faults repeat with the seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Starts a fake CRM; resolves once it listens. */
export async function startFakeCrm(opts: FakeCrmOptions = {}): Promise<FakeCrm> {
  const seed = opts.seed ?? FAKE_CRM_DEFAULTS.seed;
  const startLatencyMs = opts.latencyMs ?? FAKE_CRM_DEFAULTS.latencyMs;
  const state: FakeState = {
    latencyMs: startLatencyMs,
    failNext: 0,
    failStatus: FAKE_CRM_DEFAULTS.failStatus,
    errorRate: 0,
    errorStatus: FAKE_CRM_DEFAULTS.failStatus,
    timeoutRate: 0,
    requests: 0,
    inFlight: 0,
    peak: 0,
    random: prng(seed),
    overrides: new Map<string, Override>(),
  };
  const timers = new Set<NodeJS.Timeout>();

  const send = (res: ServerResponse, status: number, body: string, type = 'application/json'): void => {
    const write = (): void => {
      if (res.destroyed) return;
      res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    if (state.latencyMs <= 0) {
      write();
      return;
    }
    const timer = setTimeout(() => {
      timers.delete(timer);
      write();
    }, state.latencyMs);
    timers.add(timer);
  };
  const json = (res: ServerResponse, status: number, value: unknown): void => {
    send(res, status, JSON.stringify(value));
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    state.requests += 1;
    state.inFlight += 1;
    state.peak = Math.max(state.peak, state.inFlight);
    res.on('close', () => {
      state.inFlight -= 1;
    });
    if (opts.token !== undefined && req.headers.authorization !== `Bearer ${opts.token}`) {
      json(res, 401, { error: 'unauthorized' });
      return;
    }
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/customers') {
      json(res, 404, { error: 'no such route' });
      return;
    }
    if (req.method !== 'GET') {
      json(res, 405, { error: 'method not allowed' });
      return;
    }
    const query = {
      phone: url.searchParams.get('phone') ?? undefined,
      email: url.searchParams.get('email') ?? undefined,
      externalContactId: url.searchParams.get('externalContactId') ?? undefined,
    };
    const key = decisiveKey(query)?.value ?? '';
    if (key === '') {
      json(res, 400, { error: 'phone, email or externalContactId required' });
      return;
    }
    if (state.failNext > 0) {
      state.failNext -= 1;
      json(res, state.failStatus, { error: 'injected failure' });
      return;
    }
    if (state.errorRate > 0 && state.random() < state.errorRate) {
      json(res, state.errorStatus, { error: 'injected failure' });
      return;
    }
    // Never answered: the socket stays open until the client gives up or stop() destroys it.
    if (state.timeoutRate > 0 && state.random() < state.timeoutRate) return;
    const override = state.overrides.get(key);
    if (override?.kind === 'raw') {
      send(res, override.status, override.body, 'text/html');
      return;
    }
    const record = override === undefined ? lookup(query, key) : override.kind === 'record' ? override.record : undefined;
    if (record === undefined) json(res, 404, { error: 'customer not found' });
    else json(res, 200, record);
  };

  const recordOf = (crmCustomerId: string): unknown => {
    const override = state.overrides.get(crmCustomerId);
    if (override !== undefined) return override.kind === 'record' ? override.record : undefined;
    return entityRecord(crmCustomerId, seed);
  };
  const lookup = (query: Parameters<CustomerDirectory['find']>[0], key: string): unknown => {
    if (opts.directory === undefined) return customerRecord(key, seed);
    const entityId = opts.directory.find(query);
    return entityId === undefined ? undefined : recordOf(entityId);
  };

  const server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? FAKE_CRM_DEFAULTS.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const url = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;

  return {
    url,
    template: `${url}/customers?phone={phone?}&email={email?}`,
    setLatency: (ms) => {
      state.latencyMs = ms;
    },
    failNext: (n, status = FAKE_CRM_DEFAULTS.failStatus) => {
      state.failNext = n;
      state.failStatus = status;
    },
    setErrorRate: (share, status = FAKE_CRM_DEFAULTS.failStatus) => {
      state.errorRate = share;
      state.errorStatus = status;
    },
    setTimeoutRate: (share) => {
      state.timeoutRate = share;
    },
    setRecord: (key, record) => {
      state.overrides.set(key, { kind: 'record', record });
    },
    recordOf,
    setNotFound: (key) => {
      state.overrides.set(key, { kind: 'not-found' });
    },
    setRaw: (key, body, status = 200) => {
      state.overrides.set(key, { kind: 'raw', body, status });
    },
    requests: () => state.requests,
    inFlight: () => state.inFlight,
    peakConcurrency: () => state.peak,
    reset: () => {
      Object.assign(state, {
        latencyMs: startLatencyMs,
        failNext: 0,
        errorRate: 0,
        timeoutRate: 0,
        requests: 0,
        peak: state.inFlight,
        random: prng(seed),
      });
      state.overrides.clear();
    },
    stop: async () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      const closed = new Promise<void>((resolve) => server.close(() => { resolve(); }));
      server.closeAllConnections();
      await closed;
    },
  };
}
