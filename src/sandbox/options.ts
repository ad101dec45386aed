/** Options of the built-in Genesys Cloud sandbox, typed once with their defaults defined once. */

/** One OAuth client the sandbox accepts. */
export interface SandboxClient {
  readonly clientId: string;
  readonly clientSecret: string;
  /** Topic prefixes this client may not subscribe to (answered `Rejected` with missing permissions). */
  readonly deniedTopicPrefixes?: readonly string[];
}

/** A queue that exists in the sandbox org. */
export interface SandboxQueue {
  readonly id: string;
  readonly name: string;
}

export interface SandboxOptions {
  /** Port to listen on (0 = ephemeral). Always bound to 127.0.0.1. */
  readonly port: number;
  readonly clients: readonly SandboxClient[];
  readonly queues: readonly SandboxQueue[];
  /** `expires_in` of issued tokens, seconds. */
  readonly tokenLifetimeS: number;
  /** Requests per token per rolling minute before 429s. */
  readonly requestsPerMinute: number;
  /** Length of the rate-limit window (shrink it to speed up benchmarks). */
  readonly rateWindowMs: number;
  /** Heartbeat frame interval on every socket. */
  readonly heartbeatIntervalMs: number;
  /** Lifetime of a notification channel unless it is subscribed again. */
  readonly channelLifetimeMs: number;
  /** Whether re-subscribing moves a channel's `expires` (undocumented, docs/architecture.md: both are supported). */
  readonly resubscribeExtendsChannel: boolean;
  /** Delay between `v2.system.socket_closing` and the close it announces. */
  readonly socketClosingDelayMs: number;
  /** Channels per OAuth client before the oldest unconnected one is evicted. */
  readonly maxChannelsPerClient: number;
  /** Topics per channel before a subscribe is a 400. */
  readonly maxTopicsPerChannel: number;
  /** How long ended conversations stay readable (GET answers 200 with `endTime`). */
  readonly endedRetentionMs: number;
  /** Most ended conversations kept readable (the oldest go first). */
  readonly maxEndedConversations: number;
  /** What a PATCH of attributes on an ended conversation answers (unsure in reality: 202, 400 or 404). */
  readonly endedPatchStatus: 202 | 400 | 404;
}

/** Built-in OAuth client used when no credentials are configured. */
export const SANDBOX_CLIENT = { clientId: 'sandbox-client', clientSecret: 'sandbox-secret' } as const satisfies SandboxClient;

export const SANDBOX_DEFAULTS = {
  port: 0,
  clients: [SANDBOX_CLIENT],
  queues: [
    { id: '6c2f0b8e-1d1e-4c1b-9a55-0b2a3f1c7e10', name: 'Support DE' },
    { id: '2b7e4a91-8c3d-4f0e-b6a2-5d9c1e3f7a24', name: 'Sales EN' },
    { id: 'a4d8f2c6-3e5b-47a9-8d1c-6f0b2e9a4c53', name: 'Billing FR' },
  ],
  tokenLifetimeS: 86_399,
  requestsPerMinute: 300,
  rateWindowMs: 60_000,
  heartbeatIntervalMs: 30_000,
  channelLifetimeMs: 24 * 60 * 60 * 1000,
  resubscribeExtendsChannel: true,
  socketClosingDelayMs: 60_000,
  maxChannelsPerClient: 20,
  maxTopicsPerChannel: 1000,
  endedRetentionMs: 300_000,
  maxEndedConversations: 5_000,
  endedPatchStatus: 404,
} as const satisfies SandboxOptions;

/** Fills in defaults for anything not given. */
export function resolveSandboxOptions(partial: Partial<SandboxOptions> = {}): SandboxOptions {
  return { ...SANDBOX_DEFAULTS, ...stripUndefined(partial) };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
