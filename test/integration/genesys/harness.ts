/**
 * Helpers for testing the daemon's own Genesys client against the sandbox: a sandbox, a
 * `GenesysClient` aimed at it with fast test settings, and checks that nothing secret leaks.
 */
import { inspect } from 'node:util';
import { GenesysClient, type GenesysClientOptions } from '../../../src/genesys/client.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/index.js';
import { SANDBOX_CLIENT, type SandboxOptions } from '../../../src/sandbox/options.js';
import type { CallRecord } from '../../../src/sandbox/http/server.js';
import { silentLogger, type Logger } from '../../../src/log.js';

/** Retry settings that keep tests fast (the defaults wait up to seconds). */
export const FAST_RETRY = { maxAttempts: 3, baseDelayMs: 20, maxDelayMs: 100, maxRateLimitAttempts: 5 } as const;

/** What a GenesysClient is built with besides its options. */
export type ClientDeps = ConstructorParameters<typeof GenesysClient>[1];

/** Everything started by one test, stopped by {@link Rig.stop}. */
export interface Rig {
  readonly sandbox: Sandbox;
  readonly client: GenesysClient;
  /** More clients on the same sandbox, closed with the rig. */
  another(overrides?: Partial<GenesysClientOptions>, deps?: Partial<ClientDeps>): GenesysClient;
  stop(): Promise<void>;
}

/** A sandbox (no practical rate limit unless given) and a client on it with test settings. */
export async function startRig(
  sandboxOptions: Partial<SandboxOptions> = {},
  clientOptions: Partial<GenesysClientOptions> = {},
  clientDeps: Partial<ClientDeps> = {},
): Promise<Rig> {
  const sandbox = await startSandbox({ requestsPerMinute: 100_000, ...sandboxOptions });
  const clients: GenesysClient[] = [];
  const another = (overrides: Partial<GenesysClientOptions> = {}, deps: Partial<ClientDeps> = {}): GenesysClient => {
    const client = new GenesysClient({ ...clientOptionsFor(sandbox.url), ...clientOptions, ...overrides }, { logger: silentLogger, ...deps });
    clients.push(client);
    return client;
  };
  const client = another({}, clientDeps);
  return {
    sandbox,
    client,
    another,
    async stop() {
      await Promise.all(clients.map((c) => c.close()));
      await sandbox.stop();
    },
  };
}

/** Client options aimed at `gatewayUrl`, fast enough for tests. */
export function clientOptionsFor(gatewayUrl: string): GenesysClientOptions {
  return {
    target: { gatewayUrl },
    clientId: SANDBOX_CLIENT.clientId,
    clientSecret: SANDBOX_CLIENT.clientSecret,
    requestsPerMinute: 60_000,
    maxConcurrentRequests: 10,
    timeoutMs: 2_000,
    windowMs: 60_000,
    retry: FAST_RETRY,
  };
}

/** Calls of one endpoint pattern in the sandbox's record. */
export function callsTo(sandbox: Sandbox, endpoint: string): CallRecord[] {
  return sandbox.calls.filter((c) => c.endpoint === endpoint);
}

/** What `fn` rejected with; fails when it resolved. */
export async function rejectionOf(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

/**
 * Every way an error can be printed (message, stack, JSON, util.inspect with its cause chain):
 * tests grep it for secrets and tokens.
 */
export function printed(err: unknown): string {
  const e = err as { message?: unknown; stack?: unknown };
  return [String(e.message), String(e.stack), JSON.stringify(err), inspect(err, { depth: 10 }), String(err)].join('\n');
}

/** The secrets an error must never show: the client secret, its Basic header, and every token issued. */
export function secretsOf(sandbox: Sandbox): string[] {
  const basic = Buffer.from(`${SANDBOX_CLIENT.clientId}:${SANDBOX_CLIENT.clientSecret}`).toString('base64');
  return [SANDBOX_CLIENT.clientSecret, basic, ...sandbox.auth.issued];
}

/** One line a {@link recordingLogger} kept. */
export interface LoggedLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly fields: Record<string, unknown>;
}

/** A logger that keeps every line (children included) for assertions. */
export function recordingLogger(): Logger & { readonly lines: LoggedLine[] } {
  const lines: LoggedLine[] = [];
  const make = (fixed: Record<string, unknown>): Logger => {
    const at = (level: LoggedLine['level']) => (message: string, fields: Record<string, unknown> = {}) => {
      lines.push({ level, message, fields: { ...fixed, ...fields } });
    };
    return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: (f) => make({ ...fixed, ...f }) };
  };
  return Object.assign(make({}), { lines });
}
