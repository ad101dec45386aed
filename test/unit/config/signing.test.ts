import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/index.js';

const base = {
  genesys: { gatewayUrl: 'http://127.0.0.1:9', clientId: 'c', clientSecret: '${SECRET}' },
  queues: [{ name: 'Support DE' }],
  flow: { id: '0f3b1c2d-4e5f-4a6b-8c7d-9e0f1a2b3c4d' },
  crm: { url: 'http://127.0.0.1:9/c?p={phone}' },
  attributes: { map: { 'Flow.accountId': '/account/id' } },
};
const env = { SECRET: 'client-secret', KEY: 'a-signing-key-of-32-characters!!', SHORT: 'too-short' };

describe('signing.key', () => {
  it('is optional', () => {
    expect(parseConfig(base, { file: 't.yaml', env }).signing).toEqual({});
  });

  it('is read from a reference', () => {
    expect(parseConfig({ ...base, signing: { key: '${KEY}' } }, { file: 't.yaml', env }).signing).toEqual({ key: env.KEY });
  });

  it('refuses a short key, naming the key and not the value', () => {
    let message = '';
    try {
      parseConfig({ ...base, signing: { key: '${SHORT}' } }, { file: 't.yaml', env });
    } catch (err) {
      message = err instanceof Error ? err.message : String(err);
    }
    expect(message).toMatch(/signing\.key/);
    expect(message).toMatch(/at least 16 characters/);
    expect(message).not.toContain('too-short');
  });
});
