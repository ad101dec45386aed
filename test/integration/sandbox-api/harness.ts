/**
 * Helpers for the REST side of the sandbox, driven through the official SDK exactly as issue #2
 * asks: an `ApiClientClass` aimed at the sandbox with `setGateway`, the API classes built on it,
 * and a websocket subscribed through the SDK for frames. Sockets come from the notification
 * tests' harness (the same recording client).
 */
import platformClient from 'purecloud-platform-client-v2';
import { startSandbox, type Sandbox } from '../../../src/sandbox/index.js';
import { SANDBOX_CLIENT, type SandboxOptions } from '../../../src/sandbox/options.js';
import { connect, type SeenFrame, type TestSocket } from '../sandbox-notifications/harness.js';

export type { SeenFrame, TestSocket } from '../sandbox-notifications/harness.js';

/** An SDK client (one instance per test: never the shared singleton). */
export type SdkClient = InstanceType<typeof platformClient.ApiClientClass>;

/** The API classes the tests use, all on one client. */
export interface Apis {
  readonly client: SdkClient;
  readonly conversations: InstanceType<typeof platformClient.ConversationsApi>;
  readonly routing: InstanceType<typeof platformClient.RoutingApi>;
  readonly architect: InstanceType<typeof platformClient.ArchitectApi>;
  readonly analytics: InstanceType<typeof platformClient.AnalyticsApi>;
  readonly notifications: InstanceType<typeof platformClient.NotificationsApi>;
}

/** An extended response (`setReturnExtendedResponses(true)`), resolved or rejected. */
export interface Extended<T = unknown> {
  readonly status: number;
  readonly headers: Record<string, string | undefined>;
  readonly body: T;
}

/** Starts a sandbox with no practical rate limit unless the test sets one. */
export function start(partial: Partial<SandboxOptions> = {}): Promise<Sandbox> {
  return startSandbox({ requestsPerMinute: 100_000, ...partial });
}

/** A fresh SDK client aimed at the sandbox (not logged in). */
export function newClient(port: number, { extended = false } = {}): SdkClient {
  const client = new platformClient.ApiClientClass();
  // The SDK would otherwise read ~/.genesyscloudjavascript/config and may move the gateway.
  client.config.setConfigPath('');
  client.setGateway({ host: '127.0.0.1', protocol: 'http', port });
  client.setReturnExtendedResponses(extended);
  return client;
}

/** The API classes on a client logged in with `credentials`. */
export async function login(
  port: number,
  { extended = false, credentials = SANDBOX_CLIENT }: { extended?: boolean; credentials?: { clientId: string; clientSecret: string } } = {},
): Promise<Apis> {
  const client = newClient(port, { extended });
  await client.loginClientCredentialsGrant(credentials.clientId, credentials.clientSecret);
  return apis(client);
}

/** The API classes on `client`. */
export function apis(client: SdkClient): Apis {
  return {
    client,
    conversations: new platformClient.ConversationsApi(client),
    routing: new platformClient.RoutingApi(client),
    architect: new platformClient.ArchitectApi(client),
    analytics: new platformClient.AnalyticsApi(client),
    notifications: new platformClient.NotificationsApi(client),
  };
}

/**
 * Runs an SDK call on an extended-response client and answers the response whether it resolved
 * or rejected (the SDK rejects non-2xx answers with the same shape).
 */
export async function extended<T = unknown>(call: Promise<unknown>): Promise<Extended<T>> {
  let raw: unknown;
  try {
    raw = await call;
  } catch (err) {
    raw = err;
  }
  const r = raw as { status?: unknown; headers?: unknown; body?: unknown };
  if (typeof r.status !== 'number') throw new Error('not an extended SDK response', { cause: raw });
  return { status: r.status, headers: headersOf(r.headers), body: r.body as T };
}

function headersOf(raw: unknown): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  if (typeof raw !== 'object' || raw === null) return out;
  // AxiosHeaders: plain enumerable lower-case keys.
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) out[k.toLowerCase()] = typeof v === 'string' ? v : String(v);
  return out;
}

/**
 * A notification channel created and subscribed through the SDK (`api`), with a recording socket
 * on it. Every topic must come back Permitted.
 */
export async function subscribedSocket(api: Apis, topics: readonly string[]): Promise<TestSocket> {
  const channel = unwrap(await api.notifications.postNotificationsChannels());
  const answer = unwrap(await api.notifications.putNotificationsChannelSubscriptions(channel.id!, topics.map((id) => ({ id }))));
  const states = (answer.entities ?? []).map((t) => t.state);
  if (states.length !== topics.length || states.some((s) => s !== 'Permitted')) {
    throw new Error(`subscription not permitted: ${JSON.stringify(answer.entities)}`);
  }
  return connect(channel.connectUri!);
}

/** The body of an SDK answer, whether the client returns extended responses or bodies. */
function unwrap<T extends object>(answer: T): T {
  const r = answer as { status?: unknown; body?: unknown };
  return typeof r.status === 'number' && typeof r.body === 'object' && r.body !== null ? (r.body as T) : answer;
}

/** Frames of `socket` on `topic` about conversation `conversationId`, in arrival order. */
export function framesOf(socket: TestSocket, topic: string, conversationId: string): SeenFrame[] {
  return socket.on(topic).filter((f) => f.eventBody.id === conversationId);
}

/** Topic of a queue's generic conversation feed, or its media-specific variant (`calls`, `chats`, ...). */
export function queueTopic(queueId: string, mediaSuffix?: string): string {
  return `v2.routing.queues.${queueId}.conversations${mediaSuffix === undefined ? '' : `.${mediaSuffix}`}`;
}

/** UUID shape of correlation ids. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
