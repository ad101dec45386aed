/**
 * The token layer of one call: it holds a valid token before the request leaves (logging in when
 * there is none or it expired), remembers which login issued it, and after a 401 logs in again
 * only if no other call did so since: many calls refused together cause one login, not many.
 * The SDK client carries the token itself once logged in; renewal before expiry is the
 * {@link TokenManager}'s.
 */
import type { TokenManager } from './token.js';

/** What a call needs of the token manager (tests pass a fake). */
export type TokenSource = Pick<TokenManager, 'generation' | 'valid' | 'ensure' | 'invalidate'>;

/** One call's token, across its attempts. */
export class CallToken {
  private used: number;

  constructor(private readonly tokens: TokenSource) {
    this.used = tokens.generation;
  }

  /** True when a token is held now (the call need not log in first). */
  ready(): boolean {
    return this.tokens.valid();
  }

  /** Sends with a valid token. */
  async attach<T>(send: () => Promise<T>): Promise<T> {
    await this.tokens.ensure();
    this.used = this.tokens.generation;
    return send();
  }

  /** After a 401 on the last attempt: logs in again unless that already happened since. */
  relogin(): Promise<void> {
    return this.tokens.invalidate(this.used);
  }
}
