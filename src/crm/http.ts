/**
 * One HTTP GET towards the CRM. Built on `node:http`/`node:https` rather than the global
 * `fetch()`: we own the keep-alive agents (Node 20's fetch pool cannot be configured or closed
 * without the `undici` package, which is not a dependency), so `close()` can destroy every
 * socket; we can cap the body size while it streams; and we can retry once when a reused
 * keep-alive socket turns out to have been closed by the server in the meantime.
 */
import http from 'node:http';
import https from 'node:https';
import { CrmError, safeCause } from './errors.js';

/** The keep-alive agents of one CRM client. */
export interface CrmAgents {
  readonly http: http.Agent;
  readonly https: https.Agent;
}

/** Keep-alive agents; the concurrency gate, not `maxSockets`, caps calls in flight. */
export function createAgents(): CrmAgents {
  return { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };
}

/** A complete answer (any status). */
export interface HttpAnswer {
  readonly status: number;
  readonly body: string;
}

/** How to make the call. */
export interface HttpGetOptions {
  readonly headers: Readonly<Record<string, string>>;
  /** Aborting fails the call with the signal's reason (a {@link CrmError}). */
  readonly signal: AbortSignal;
  readonly agents: CrmAgents;
  /** Larger bodies fail the call with `too-large`. */
  readonly maxBodyBytes: number;
}

const RETRYABLE_ON_REUSED_SOCKET = new Set(['ECONNRESET', 'EPIPE']);

/**
 * GETs `url` and reads the whole body. Rejects with a {@link CrmError} only: `network`,
 * `too-large` (body over `maxBodyBytes`), or the abort reason of `opts.signal`.
 */
export async function httpGet(url: string, opts: HttpGetOptions): Promise<HttpAnswer> {
  try {
    return await attempt(url, opts);
  } catch (err) {
    if (err instanceof RetryableReset && !opts.signal.aborted) return attempt(url, opts);
    throw err instanceof RetryableReset ? new CrmError('network', 'CRM connection reset', { cause: safeCause(err.cause) }) : err;
  }
}

class RetryableReset extends Error {}

function attempt(url: string, opts: HttpGetOptions): Promise<HttpAnswer> {
  return new Promise<HttpAnswer>((resolve, reject) => {
    const target = URL.parse(url);
    if (target === null) {
      // Never echo the URL: it carries the customer's phone number or e-mail address.
      reject(new CrmError('internal', 'CRM URL does not parse'));
      return;
    }
    const secure = target.protocol === 'https:';
    const request = (secure ? https : http).request(target, {
      method: 'GET',
      headers: { accept: 'application/json', ...opts.headers },
      agent: secure ? opts.agents.https : opts.agents.http,
      signal: opts.signal,
    });
    const fail = (err: unknown): void => {
      if (opts.signal.aborted) {
        reject(opts.signal.reason as Error);
      } else if (request.reusedSocket && RETRYABLE_ON_REUSED_SOCKET.has(errnoCode(err) ?? '')) {
        reject(new RetryableReset('reused socket reset', { cause: err }));
      } else if (err instanceof CrmError) {
        reject(err);
      } else {
        reject(new CrmError('network', `CRM request failed (${errnoCode(err) ?? 'no code'})`, { cause: safeCause(err) }));
      }
    };
    request.on('error', fail);
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > opts.maxBodyBytes) {
          // Settle first: destroying the socket also fires `aborted`/`error`, which would read as a
          // network failure (the promise keeps the first outcome).
          reject(new CrmError('too-large', `CRM answer larger than ${opts.maxBodyBytes} bytes`));
          response.destroy();
          request.destroy();
          return;
        }
        chunks.push(chunk);
      });
      response.on('error', fail);
      response.on('aborted', () => {
        fail(new CrmError('network', 'CRM answer cut off'));
      });
      response.on('end', () => {
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    request.end();
  });
}

function errnoCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
