// The token layer of one call, over a real TokenManager and a fake SDK login: a token before every
// attempt, and one re-login however many calls were refused with the same token.
import { afterEach, describe, expect, it } from 'vitest';
import { CallToken } from '../../../src/genesys/call-token.js';
import type { SdkClient } from '../../../src/genesys/sdk.js';
import { TOKEN_DEFAULTS, TokenManager } from '../../../src/genesys/token.js';
import { silentLogger } from '../../../src/log.js';

let tokens: TokenManager | undefined;
afterEach(() => {
  tokens?.stop();
  tokens = undefined;
});

/** A token manager whose logins are counted and answer a token valid for an hour. */
function counted(): { tokens: TokenManager; logins: () => number } {
  let logins = 0;
  const sdk = {
    loginClientCredentialsGrant: () => {
      logins++;
      return Promise.resolve({ tokenExpiryTime: Date.now() + 3_600_000 });
    },
  } as unknown as SdkClient;
  tokens = new TokenManager({ ...TOKEN_DEFAULTS, clientId: 'id', clientSecret: 'secret' }, { sdk, logger: silentLogger });
  return { tokens, logins: () => logins };
}

describe('CallToken', () => {
  it('logs in before the first attempt only when no token is held', async () => {
    const { tokens: t, logins } = counted();
    const call = new CallToken(t);
    expect(call.ready()).toBe(false);
    expect(await call.attach(() => Promise.resolve('sent'))).toBe('sent');
    expect(logins()).toBe(1);
    expect(call.ready()).toBe(true);
    await new CallToken(t).attach(() => Promise.resolve('again'));
    expect(logins()).toBe(1);
  });

  it('logs in again once for many calls refused with the same token', async () => {
    const { tokens: t, logins } = counted();
    const calls = Array.from({ length: 5 }, () => new CallToken(t));
    await Promise.all(calls.map((c) => c.attach(() => Promise.resolve())));
    expect(logins()).toBe(1);
    // Every call got a 401 with the first token.
    await Promise.all(calls.map((c) => c.relogin()));
    expect(logins()).toBe(2);
    // A call that went out again with the new token and was refused again logs in once more.
    await calls[0]!.attach(() => Promise.resolve());
    await calls[0]!.relogin();
    expect(logins()).toBe(3);
    // A call still holding the first token's generation does not.
    await calls[1]!.relogin();
    expect(logins()).toBe(3);
  });
});
