/**
 * Start-up warnings about settings that work but expose a secret: credentials sent over plain
 * http to a host off this machine. Pure: the config in, sentences out; they name keys, never values.
 */
import { isLoopbackHost } from './urls.js';

/** Header names that carry credentials. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'x-api-key']);
/** Query parameter names that usually carry a credential. */
const CREDENTIAL_PARAM = /token|secret|key|auth|password|signature|sig$/i;

function plainHttpOffMachine(value: string): URL | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  return url.protocol === 'http:' && !isLoopbackHost(url.hostname) ? url : undefined;
}

function credentialParams(url: URL): string[] {
  return [...new Set([...url.searchParams.keys()].filter((name) => CREDENTIAL_PARAM.test(name)))];
}

/** Warnings for the CRM and the webhook: plain http, a non-loopback host, and credentials. */
export function plainHttpCredentialWarnings(config: {
  readonly crm: { readonly url: string; readonly headers: Readonly<Record<string, string>> };
  readonly analytics: { readonly webhookUrl?: string | undefined };
}): string[] {
  const warnings: string[] = [];
  const crm = plainHttpOffMachine(config.crm.url);
  if (crm !== undefined) {
    const headers = Object.keys(config.crm.headers).filter((h) => CREDENTIAL_HEADERS.has(h.toLowerCase()));
    const params = credentialParams(crm);
    const carried = [...headers.map((h) => `header ${h}`), ...params.map((p) => `query parameter ${p}`)];
    if (carried.length > 0) {
      warnings.push(`crm.url uses plain http:// to a host that is not loopback, and the request carries credentials (${carried.join(', ')}): they travel in clear; use https://`);
    }
  }
  const webhook = config.analytics.webhookUrl === undefined ? undefined : plainHttpOffMachine(config.analytics.webhookUrl);
  if (webhook !== undefined) {
    const params = credentialParams(webhook);
    if (params.length > 0) {
      warnings.push(`analytics.webhookUrl uses plain http:// to a host that is not loopback, with credentials in its query (${params.join(', ')}): they travel in clear; use https://`);
    }
  }
  return warnings;
}
