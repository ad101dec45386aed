/**
 * The one place that constructs the official SDK. Each daemon gets its own `ApiClientClass`
 * instance (never the shared singleton), with the config-file watcher turned off, extended
 * responses on (so Retry-After and the correlation id survive) and a keep-alive agent with a
 * socket cap for HTTPS.
 */
import { Agent as HttpsAgent } from 'node:https';
import platformClient, { type ApiClientClass } from 'purecloud-platform-client-v2';
import { EnricherError } from '../errors.js';

export type SdkClient = ApiClientClass;

/** Where the API lives: a Genesys region host, or a Genesys-compatible gateway URL (the sandbox). */
export type ApiTarget = { readonly region: string } | { readonly gatewayUrl: string };

export interface SdkOptions {
  readonly timeoutMs: number;
  /** Cap on concurrent HTTPS sockets to Genesys. */
  readonly maxSockets: number;
}

/** Builds an SDK client aimed at `target`. */
export function createSdkClient(target: ApiTarget, opts: SdkOptions): SdkClient {
  const client = new platformClient.ApiClientClass();
  // The SDK reads and keeps watching ~/.genesyscloudjavascript/config, which can silently move
  // the region; our config file is the only source of truth.
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
