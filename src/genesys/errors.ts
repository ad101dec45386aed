/**
 * Genesys errors, normalised. The SDK rejects with plain objects (parsed bodies, extended
 * responses) or raw axios errors that carry the `Authorization` header; nothing of those objects
 * is kept except status, Genesys code, a short message, the correlation id and Retry-After.
 */
import { EnricherError } from '../errors.js';

/** The API answered with an error status. */
export class GenesysApiError extends EnricherError {
  constructor(
    readonly endpoint: string,
    readonly status: number,
    readonly genesysCode: string | undefined,
    readonly correlationId: string | undefined,
    readonly retryAfterMs: number | undefined,
    message: string,
  ) {
    super('genesys.api', `${endpoint} answered ${status}${genesysCode ? ` (${genesysCode})` : ''}: ${message}`);
  }
}

/** The request never completed (connection refused, reset, timeout). */
export class GenesysNetworkError extends EnricherError {
  constructor(
    readonly endpoint: string,
    readonly reason: string,
  ) {
    super('genesys.network', `${endpoint} failed before an answer: ${reason}`);
  }
}

export type GenesysError = GenesysApiError | GenesysNetworkError;

const MAX_MESSAGE = 200;

/**
 * Turns whatever the SDK rejected with into a GenesysError. Only allow-listed fields are read,
 * so a token or secret inside the raw error cannot leak through the result.
 */
export function normaliseError(raw: unknown, endpoint: string): GenesysError {
  if (raw instanceof GenesysApiError || raw instanceof GenesysNetworkError) return raw;
  const obj = isRecord(raw) ? raw : {};
  // Extended responses: {status, headers, body}; axios errors: {response: {status, headers, data}}.
  const response = isRecord(obj.response) ? obj.response : undefined;
  const status = num(obj.status) ?? num(response?.status);
  const headers = isRecord(obj.headers) ? obj.headers : isRecord(response?.headers) ? response.headers : {};
  const body = isRecord(obj.body) ? obj.body : isRecord(response?.data) ? response.data : obj;
  if (status === undefined || status === 0) {
    const code = str(obj.code) ?? 'unknown';
    return new GenesysNetworkError(endpoint, safeReason(code));
  }
  const correlationId = str(headerValue(headers, 'inin-correlation-id')) ?? str(body.contextId);
  const retryAfterMs = parseRetryAfter(headerValue(headers, 'retry-after'), str(body.message));
  const message = (str(body.message) ?? str(body.error_description) ?? str(body.description) ?? 'no message').slice(0, MAX_MESSAGE);
  return new GenesysApiError(endpoint, status, str(body.code) ?? str(body.error), correlationId, retryAfterMs, message);
}

/** Retry-After in ms from the header, else from Genesys' "[42] seconds" message. */
export function parseRetryAfter(header: unknown, message: string | undefined): number | undefined {
  const fromHeader = typeof header === 'string' || typeof header === 'number' ? Number(header) : Number.NaN;
  if (Number.isFinite(fromHeader) && fromHeader >= 0) return fromHeader * 1000;
  const m = message ? /\[(\d+)\]\s*seconds/.exec(message) : null;
  return m?.[1] ? Number(m[1]) * 1000 : undefined;
}

function headerValue(headers: Record<string, unknown>, name: string): unknown {
  // axios lower-cases header names; AxiosHeaders also has get().
  const get = headers.get;
  if (typeof get === 'function') return (get as (n: string) => unknown).call(headers, name);
  return headers[name] ?? headers[name.toLowerCase()];
}

function safeReason(code: string): string {
  return /^[A-Za-z0-9_.-]{1,40}$/.test(code) ? code : 'unknown';
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}
