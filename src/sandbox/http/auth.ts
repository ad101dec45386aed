/**
 * OAuth client credentials as Genesys Cloud does them: `POST /oauth/token` with Basic auth and
 * `grant_type=client_credentials`, opaque bearer tokens with `expires_in`, and 401s for missing,
 * unknown, expired or revoked tokens.
 */
import { randomBytes } from 'node:crypto';
import type { SandboxClient } from '../options.js';
import { ApiFailure, type Reply } from './router.js';

interface TokenRecord {
  readonly clientId: string;
  readonly expiresAt: number;
}

/** Issued tokens and the clients allowed to get them. */
export class TokenStore {
  private readonly tokens = new Map<string, TokenRecord>();
  /** Every token ever issued (tests grep logs for them); login happens rarely, so this stays small. */
  readonly issued: string[] = [];
  private lifetimeS: number;

  constructor(
    private readonly clients: readonly SandboxClient[],
    lifetimeS: number,
    private readonly now: () => number = Date.now,
  ) {
    this.lifetimeS = lifetimeS;
  }

  /** Changes `expires_in` for tokens issued from now on. */
  setLifetime(seconds: number): void {
    this.lifetimeS = seconds;
  }

  /** The client with this id, if the sandbox knows it. */
  client(clientId: string): SandboxClient | undefined {
    return this.clients.find((c) => c.clientId === clientId);
  }

  /** Handles `POST /oauth/token`. */
  login(authorization: string | undefined, body: unknown): Reply {
    const grant = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).grant_type : undefined;
    if (grant !== 'client_credentials') {
      return { status: 400, body: { error: 'unsupported_grant_type', description: 'grant_type must be client_credentials' } };
    }
    const creds = parseBasic(authorization);
    const client = creds && this.client(creds.id);
    if (!creds || client?.clientSecret !== creds.secret) {
      return { status: 401, body: { error: 'invalid_client', description: 'authentication failed', error_description: 'authentication failed' } };
    }
    const token = randomBytes(24).toString('base64url');
    this.tokens.set(token, { clientId: client.clientId, expiresAt: this.now() + this.lifetimeS * 1000 });
    this.issued.push(token);
    return { status: 200, body: { access_token: token, token_type: 'bearer', expires_in: this.lifetimeS } };
  }

  /** The caller behind an `Authorization: Bearer` header, or an ApiFailure(401). */
  verify(authorization: string | undefined): { clientId: string; token: string } {
    const m = authorization ? /^Bearer\s+(\S+)$/i.exec(authorization) : null;
    const token = m?.[1];
    if (!token) {
      throw new ApiFailure(401, 'authentication.required', 'No authentication bearer token specified in authorization header.');
    }
    const record = this.tokens.get(token);
    if (!record || record.expiresAt <= this.now()) {
      if (record) this.tokens.delete(token);
      throw new ApiFailure(401, 'bad.credentials', 'Invalid login credentials.');
    }
    return { clientId: record.clientId, token };
  }

  /** Revokes tokens (all of a client's when `clientId` is given, else every token); returns them. */
  revoke(clientId?: string): string[] {
    const revoked: string[] = [];
    for (const [token, record] of this.tokens) {
      if (clientId === undefined || record.clientId === clientId) {
        this.tokens.delete(token);
        revoked.push(token);
      }
    }
    return revoked;
  }

  /** Makes every current token expire now (as a token lifetime running out would). */
  expireAll(): void {
    for (const [token, record] of this.tokens) this.tokens.set(token, { ...record, expiresAt: this.now() });
  }

  /** Tokens that are still valid (for tests). */
  activeCount(): number {
    const now = this.now();
    let n = 0;
    for (const record of this.tokens.values()) if (record.expiresAt > now) n++;
    return n;
  }
}

function parseBasic(header: string | undefined): { id: string; secret: string } | undefined {
  const m = header ? /^Basic\s+(\S+)$/i.exec(header) : null;
  if (!m?.[1]) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { id: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}
