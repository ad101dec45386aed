/**
 * Test helpers for the notification hub: a sandbox (the real `startSandbox`, or, for tests that
 * need a frozen clock, a minimal stack of the HTTP front, token store, limiter, fault injector and
 * hub), an SDK client, and a recording websocket client.
 */
import platformClient from 'purecloud-platform-client-v2';
import WebSocket from 'ws';
import { waitFor } from '../../helpers/wait-for.js';
import { startSandbox } from '../../../src/sandbox/index.js';
import { TokenStore } from '../../../src/sandbox/http/auth.js';
import { FaultInjector } from '../../../src/sandbox/http/faults.js';
import { RateLimiter } from '../../../src/sandbox/http/rate-limit.js';
import { Router } from '../../../src/sandbox/http/router.js';
import { startHttpFront } from '../../../src/sandbox/http/server.js';
import { NotificationHub } from '../../../src/sandbox/notifications/hub.js';
import { resolveSandboxOptions, SANDBOX_CLIENT, type SandboxOptions } from '../../../src/sandbox/options.js';

/** A second client, denied the flow topics and one queue. */
export const LIMITED_CLIENT = {
  clientId: 'limited-client',
  clientSecret: 'limited-secret',
  deniedTopicPrefixes: ['v2.flows.', 'v2.routing.queues.denied-queue.'],
} as const;

/** What the tests use of a sandbox. */
export interface Harness {
  readonly port: number;
  readonly hub: NotificationHub;
  readonly auth: TokenStore;
  readonly options: SandboxOptions;
  stop(): Promise<void>;
}

/** Starts a sandbox on 127.0.0.1:0 with both test clients and no practical rate limit. */
export async function startHarness(partial: Partial<SandboxOptions> = {}, extra: { now?: () => number } = {}): Promise<Harness> {
  const wanted: Partial<SandboxOptions> = { clients: [SANDBOX_CLIENT, LIMITED_CLIENT], requestsPerMinute: 100_000, ...partial };
  return extra.now ? startMinimal(resolveSandboxOptions(wanted), extra.now) : startSandbox(wanted);
}

/** The hub behind the real HTTP front, with an injected clock (`startSandbox` takes none). */
async function startMinimal(options: SandboxOptions, now: () => number): Promise<Harness> {
  const auth = new TokenStore(options.clients, options.tokenLifetimeS);
  const api = new Router();
  let port = 0;
  const hub = new NotificationHub(options, { auth, wsBaseUrl: () => `ws://127.0.0.1:${port}`, now });
  hub.addRoutes(api);
  const front = await startHttpFront(0, {
    auth,
    limiter: new RateLimiter(options.requestsPerMinute, options.rateWindowMs),
    faults: new FaultInjector(),
    api,
    control: new Router(),
    onCall: () => undefined,
  });
  port = front.port;
  hub.attach(front.server);
  return {
    port,
    hub,
    auth,
    options,
    async stop() {
      await hub.close();
      front.server.closeAllConnections();
      await new Promise<void>((resolve) => front.server.close(() => { resolve(); }));
    },
  };
}

export type NotificationsApi = InstanceType<typeof platformClient.NotificationsApi>;

/** The official SDK logged in against the harness. */
export interface Sdk {
  readonly api: NotificationsApi;
  /** Same token, `setReturnExtendedResponses(true)`: errors carry `status` even without a body (HEAD). */
  readonly extended: NotificationsApi;
  readonly token: string;
}

/** Logs the official SDK in against the harness. */
export async function sdk(port: number, client: { clientId: string; clientSecret: string } = SANDBOX_CLIENT): Promise<Sdk> {
  const apiClient = new platformClient.ApiClientClass();
  apiClient.config.setConfigPath('');
  apiClient.setGateway({ host: '127.0.0.1', protocol: 'http', port });
  const auth = await apiClient.loginClientCredentialsGrant(client.clientId, client.clientSecret);
  const extendedClient = new platformClient.ApiClientClass();
  extendedClient.config.setConfigPath('');
  extendedClient.setGateway({ host: '127.0.0.1', protocol: 'http', port });
  extendedClient.setReturnExtendedResponses(true);
  extendedClient.setAccessToken(auth.accessToken);
  return {
    api: new platformClient.NotificationsApi(apiClient),
    extended: new platformClient.NotificationsApi(extendedClient),
    token: auth.accessToken,
  };
}

/** The HTTP status of an extended-response SDK call, whether it resolved or rejected. */
export async function statusOf(call: Promise<unknown>): Promise<number> {
  try {
    return ((await call) as { status: number }).status;
  } catch (err) {
    return (err as { status: number }).status;
  }
}

/** A parsed frame as the tests see it. */
export interface SeenFrame {
  readonly topicName: string;
  readonly version?: string;
  readonly eventBody: Record<string, unknown>;
  readonly metadata?: { readonly CorrelationId?: string };
}

/** A websocket client that records everything it receives. */
export interface TestSocket {
  readonly ws: WebSocket;
  readonly frames: SeenFrame[];
  /** Resolves when the socket closes (code 1006 for an abrupt end). */
  readonly closed: Promise<{ code: number; reason: string }>;
  isClosed(): boolean;
  /** Frames on `topicName`. */
  on(topicName: string): SeenFrame[];
}

/** Opens a socket on `uri`; rejects when the handshake fails. */
export async function connect(uri: string): Promise<TestSocket> {
  const ws = new WebSocket(uri);
  const frames: SeenFrame[] = [];
  let isClosed = false;
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.on('close', (code, reason) => {
      isClosed = true;
      resolve({ code, reason: reason.toString() });
    });
  });
  ws.on('message', (data) => {
    frames.push(JSON.parse((data as Buffer).toString('utf8')) as SeenFrame);
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => { resolve(); });
    ws.once('error', reject);
  });
  ws.on('error', () => undefined);
  return {
    ws,
    frames,
    closed,
    isClosed: () => isClosed,
    on: (topicName) => frames.filter((f) => f.topicName === topicName),
  };
}

/** How `socket` closed; fails after `waitFor`'s timeout instead of hanging when it does not. */
export async function closeOf(socket: TestSocket): Promise<{ code: number; reason: string }> {
  await waitFor(() => socket.isClosed(), { what: 'the socket to close' });
  return socket.closed;
}

/** The HTTP status with which the server refuses a websocket handshake on `uri`. */
export async function refusedStatus(uri: string): Promise<number> {
  const ws = new WebSocket(uri);
  return new Promise<number>((resolve, reject) => {
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      ws.terminate();
    });
    ws.on('error', () => undefined);
    ws.on('open', () => {
      ws.terminate();
      reject(new Error('handshake unexpectedly accepted'));
    });
  });
}

/** Topic of a queue's generic conversation feed. */
export function queueTopic(queueId: string): string {
  return `v2.routing.queues.${queueId}.conversations`;
}
