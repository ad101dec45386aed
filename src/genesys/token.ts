/**
 * Client-credentials tokens: log in once, renew before expiry, and log in again (once, however
 * many callers ask at the same moment) when the API says 401. The SDK does none of this itself.
 */
import type { Logger } from '../log.js';
import { normaliseError } from './errors.js';
import type { SdkClient } from './sdk.js';

export interface TokenOptions {
  /** The OAuth client (client-credentials grant). */
  readonly clientId: string;
  /** Its secret; never logged. */
  readonly clientSecret: string;
  /** Renew this long before expiry (capped at a tenth of the token's lifetime). */
  readonly renewBeforeMs: number;
  /** Wait before retrying a failed scheduled renewal. */
  readonly renewRetryMs: number;
}

/** Defaults of the {@link TokenOptions} that have one. */
export const TOKEN_DEFAULTS = { renewBeforeMs: 300_000, renewRetryMs: 10_000 } as const satisfies Partial<TokenOptions>;

export interface TokenDeps {
  /** The SDK client whose token this manager keeps. */
  readonly sdk: SdkClient;
  readonly logger: Logger;
  /** The clock (tests pass a fake one). */
  readonly now?: () => number;
  /** Called after every successful login (the stream may rotate channels tied to the old token). */
  readonly onRenewed?: (generation: number) => void;
}

/** Owns the access token of one SDK client. */
export class TokenManager {
  private expiresAt = 0;
  private inflight: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Increments with every login; lets a 401 tell whether the token it used is still current. */
  generation = 0;

  constructor(
    private readonly opts: TokenOptions,
    private readonly deps: TokenDeps,
  ) {}

  /** When the current token expires (epoch ms; 0 before the first login). */
  get expiry(): number {
    return this.expiresAt;
  }

  /** True while a token is held and not yet expired. */
  valid(): boolean {
    return this.expiresAt > this.now();
  }

  /** Resolves once a usable token is held, logging in when there is none or it has expired. */
  async ensure(): Promise<void> {
    if (this.valid()) return;
    await this.login();
  }

  /** Called after a 401 made with token `generation`: logs in again unless that already happened. */
  async invalidate(generation: number): Promise<void> {
    if (generation !== this.generation) return;
    this.expiresAt = 0;
    await this.login();
  }

  /** Logs in (coalescing concurrent callers) and schedules the renewal. */
  login(): Promise<void> {
    this.inflight ??= this.doLogin().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async doLogin(): Promise<void> {
    const started = this.now();
    let auth: { tokenExpiryTime?: number };
    try {
      auth = await this.deps.sdk.loginClientCredentialsGrant(this.opts.clientId, this.opts.clientSecret);
    } catch (raw) {
      // Raw login errors carry the Basic header: only the normalised form may travel on.
      throw normaliseError(raw, 'POST /oauth/token');
    }
    this.expiresAt = auth.tokenExpiryTime ?? started + 3_600_000;
    this.generation++;
    this.deps.logger.info('logged in to Genesys Cloud', { expiresInS: Math.round((this.expiresAt - started) / 1000), generation: this.generation });
    this.schedule(this.expiresAt - started);
    this.deps.onRenewed?.(this.generation);
  }

  private schedule(lifetimeMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.stopped) return;
    const lead = Math.min(this.opts.renewBeforeMs, lifetimeMs / 10);
    this.setTimer(Math.max(1_000, lifetimeMs - lead));
  }

  private setTimer(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.login().catch((err: unknown) => {
        this.deps.logger.warn('token renewal failed; retrying', { error: err instanceof Error ? err.message : 'unknown' });
        if (!this.stopped) this.setTimer(this.opts.renewRetryMs);
      });
    }, delayMs);
    this.timer.unref();
  }

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }
}
