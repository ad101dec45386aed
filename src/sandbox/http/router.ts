/**
 * A tiny method + path router for the sandbox's REST API. Patterns look like Genesys' own
 * documentation (`/api/v2/conversations/{conversationId}`), so a route's pattern doubles as the
 * endpoint name used by fault injection and the call record.
 */
import type { IncomingMessage } from 'node:http';

/** What a handler sees of one request. */
export interface RequestContext {
  readonly req: IncomingMessage;
  readonly method: string;
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** Parsed JSON body (or form fields as an object); undefined when empty. */
  readonly body: unknown;
  readonly correlationId: string;
  /** When the request was taken up (after its body was read): the time in the call and write records. */
  readonly receivedAt: number;
  /** Set by the auth layer on API routes. */
  readonly auth?: { readonly clientId: string; readonly token: string };
}

/** What a handler answers. */
export interface Reply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export type Handler = (ctx: RequestContext) => Reply | Promise<Reply>;

/** A route: `pattern` is also its endpoint name. */
export interface Route {
  readonly method: string;
  readonly pattern: string;
  readonly handler: Handler;
}

interface CompiledRoute extends Route {
  readonly regex: RegExp;
  readonly names: readonly string[];
}

/** Raised by handlers to answer with a Genesys-style error body. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

/** Matches requests to routes; literal segments beat placeholders by registration order. */
export class Router {
  private readonly routes: CompiledRoute[] = [];

  add(method: string, pattern: string, handler: Handler): this {
    const names: string[] = [];
    const source = pattern
      .split('/')
      .map((segment) => {
        const m = /^\{(\w+)\}$/.exec(segment);
        if (!m?.[1]) return segment.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
        names.push(m[1]);
        return '([^/]+)';
      })
      .join('/');
    this.routes.push({ method, pattern, handler, regex: new RegExp(`^${source}$`), names });
    return this;
  }

  /** The route for a request, or `undefined`; `methodMismatch` tells 405 from 404. */
  match(method: string, path: string): { route: Route; params: Record<string, string> } | { methodMismatch: boolean } {
    let methodMismatch = false;
    for (const route of this.routes) {
      const m = route.regex.exec(path);
      if (!m) continue;
      if (route.method !== method) {
        methodMismatch = true;
        continue;
      }
      const params: Record<string, string> = {};
      route.names.forEach((name, i) => {
        params[name] = decodeURIComponent(m[i + 1] ?? '');
      });
      return { route, params };
    }
    return { methodMismatch };
  }
}
