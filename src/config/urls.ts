/**
 * Pure checks on URL-like config values: the Genesys gateway, the CRM URL template, the webhook
 * and the listen address. Problem messages never quote the value (it may carry a secret).
 */
import { sdkModule } from '../genesys/sdk.js';
import { CRM_URL_PLACEHOLDERS, LISTEN_OFF } from './constants.js';
import type { ListenAddress } from './types.js';

/**
 * Genesys Cloud region hosts, taken from the pinned SDK's own list (`PureCloudRegionHosts`) so
 * that a region Genesys adds arrives with an SDK upgrade, not with a hand edit here. In the SDK's
 * order (the US first), without duplicates. Loaded through genesys/sdk.ts, which keeps the SDK from
 * reading its home config file.
 */
export const GENESYS_REGIONS: readonly string[] = Object.freeze([...new Set(Object.values(sdkModule().PureCloudRegionHosts))]);

/** True for hosts that cannot leave this machine: 127.0.0.0/8, ::1 and localhost. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (host === '::1' || host === '0:0:0:0:0:0:0:1') return true;
  const octets = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  return octets !== null && octets.slice(1).every((o) => Number(o) <= 255);
}

function parseUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

function checkHttpUrl(url: URL | undefined): string | undefined {
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
    return 'must be an http:// or https:// URL';
  }
  if (url.username !== '' || url.password !== '') return 'must not contain credentials (user:password@)';
  return undefined;
}

/**
 * Problem with `genesys.gatewayUrl`: plain http would send the client secret in clear, so it is
 * only accepted towards a loopback host (the sandbox, a local proxy).
 */
export function checkGatewayUrl(value: string): string | undefined {
  const url = parseUrl(value);
  const problem = checkHttpUrl(url);
  if (problem !== undefined || url === undefined) return problem;
  if (url.search !== '' || url.hash !== '') return 'must not have a query or fragment';
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    return 'uses http:// towards a host that is not loopback (127.0.0.0/8, ::1, localhost); use https://';
  }
  return undefined;
}

/** Problem with an optional webhook URL such as `analytics.webhookUrl`. */
export function checkWebhookUrl(value: string): string | undefined {
  return checkHttpUrl(parseUrl(value));
}

/** The placeholders of a URL template, in order, as written between the braces. */
export function templatePlaceholders(template: string): string[] {
  return [...template.matchAll(/\{([^{}]*)\}/g)].map((m) => m[1] ?? '');
}

function isKnownPlaceholder(written: string): boolean {
  // A trailing `?` marks a placeholder optional (renders empty when the value is missing).
  const name = written.endsWith('?') ? written.slice(0, -1) : written;
  if ((CRM_URL_PLACEHOLDERS as readonly string[]).includes(name)) return true;
  return /^attr:[^\s{}?]+$/.test(name);
}

/**
 * Problem with the `crm.url` template: an http(s) URL whose placeholders are all known and sit
 * in the path or query only (never in the scheme or host, so the target cannot be steered).
 */
export function checkCrmUrlTemplate(template: string): string | undefined {
  const unknown = templatePlaceholders(template).filter((p) => !isKnownPlaceholder(p));
  if (unknown.length > 0) {
    const allowed = [...CRM_URL_PLACEHOLDERS, 'attr:NAME'].map((p) => `{${p}}`).join(' ');
    return `has unknown placeholder ${unknown.map((p) => `{${p}}`).join(', ')} (allowed: ${allowed})`;
  }
  const stripped = template.replace(/\{[^{}]*\}/g, '');
  if (stripped.includes('{') || stripped.includes('}')) return 'has an unbalanced "{" or "}"';
  const authority = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(template)?.[1] ?? '';
  if (authority.includes('{')) return 'may have placeholders only in the path and query, not in the scheme or host';
  return checkHttpUrl(parseUrl(template.replace(/\{[^{}]*\}/g, 'x')));
}

/** Parses `http.listen`: `off`, `HOST:PORT` or `[IPv6]:PORT` (port 0..65535, 0 = any free port). */
export function parseListen(value: string): ListenAddress | typeof LISTEN_OFF | undefined {
  if (value === LISTEN_OFF) return LISTEN_OFF;
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(value);
  if (match === null) return undefined;
  const host = match[1] ?? match[2] ?? '';
  const port = Number(match[3]);
  if (port > 65_535) return undefined;
  if (match[1] !== undefined && parseUrl(`http://[${host}]/`) === undefined) return undefined;
  return { host, port };
}
