/**
 * The one place that loads and constructs the official SDK. Each daemon gets its own
 * `ApiClientClass` instance (never the shared singleton), with the config-file watcher turned
 * off, extended responses on (so Retry-After and the correlation id survive) and a keep-alive
 * agent with a socket cap for HTTPS.
 *
 * The SDK reads `~/.genesyscloudjavascript/config` when it is loaded (for its singleton) and again
 * in every client's constructor, before any setter can be called; that file can turn on trace
 * logging of request bodies or move the gateway. So the SDK is loaded, and its clients built,
 * with HOME pointing into /dev/null, where no such file can exist; our config file is the only
 * source of truth.
 */
import { Agent as HttpsAgent } from 'node:https';
import { createRequire } from 'node:module';
import { devNull } from 'node:os';
import type { ApiClientClass } from 'purecloud-platform-client-v2';
import type PlatformClientModule from 'purecloud-platform-client-v2';
import { EnricherError } from '../errors.js';

export type SdkClient = ApiClientClass;

/** The SDK module's type (its default export, a CommonJS object). */
export type PlatformClient = typeof PlatformClientModule;

const requireCjs = createRequire(import.meta.url);
let loaded: PlatformClient | undefined;

/** The SDK module, loaded on first use without a home directory (see the module comment). */
export function sdkModule(): PlatformClient {
  if (loaded === undefined) {
    const sdk = withoutHome(() => requireCjs('purecloud-platform-client-v2') as PlatformClient);
    // The load-time singleton would otherwise poll its (impossible) config path for ever.
    sdk.ApiClient.instance.config.setConfigPath('');
    loaded = sdk;
  }
  return loaded;
}

/** Runs `fn` with HOME (and USERPROFILE) under /dev/null, then puts them back. */
export function withoutHome<T>(fn: () => T): T {
  const saved = { HOME: process.env.HOME, USERPROFILE: process.env.USERPROFILE };
  process.env.HOME = devNull;
  process.env.USERPROFILE = devNull;
  try {
    return fn();
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) Reflect.deleteProperty(process.env, key);
      else process.env[key] = value;
    }
  }
}

/** Where the API lives: a Genesys region host, or a Genesys-compatible gateway URL (the sandbox). */
export type ApiTarget = { readonly region: string } | { readonly gatewayUrl: string };

export interface SdkOptions {
  readonly timeoutMs: number;
  /** Cap on concurrent HTTPS sockets to Genesys. */
  readonly maxSockets: number;
}

/** Builds an SDK client aimed at `target`. */
export function createSdkClient(target: ApiTarget, opts: SdkOptions): SdkClient {
  const sdk = sdkModule();
  // The constructor reads the home config file: build it without a home, then stop the watcher.
  const client = withoutHome(() => new sdk.ApiClientClass());
  client.config.setConfigPath('');
  client.config.live_reload_config = false;
  client.setReturnExtendedResponses(true);
  client.setPersistSettings(false);
  if ('region' in target) {
    client.setEnvironment(target.region);
  } else {
    const url = parseGateway(target.gatewayUrl);
    client.setGateway({
      host: url.hostname.replace(/^\[|\]$/g, ''),
      protocol: url.protocol.replace(':', ''),
      port: url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80,
      path_params_login: url.pathname.replace(/\/+$/, ''),
      path_params_api: url.pathname.replace(/\/+$/, ''),
    });
  }
  const http = client.getHttpClient();
  http.setTimeout(opts.timeoutMs);
  // The SDK only passes an HTTPS agent to axios; plain-http gateways (loopback only) use Node's
  // default keep-alive agent.
  client.setProxyAgent(new HttpsAgent({ keepAlive: true, maxSockets: opts.maxSockets }));
  return client;
}

function parseGateway(raw: string): URL {
  try {
    return new URL(raw);
  } catch (cause) {
    throw new EnricherError('genesys.gateway', 'gatewayUrl is not a valid URL', { cause });
  }
}
