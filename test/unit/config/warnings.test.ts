/** Plain http with credentials to a host off this machine is a start-up warning naming the key, never the value. */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/index.js';
import { plainHttpCredentialWarnings } from '../../../src/config/warnings.js';
import { ENV, FILE, minimalRaw } from './fixtures.js';

const TOKEN = 'Bearer s3cr3t-crm-token';

describe('plainHttpCredentialWarnings', () => {
  it.each<[string, string, Record<string, string>, string | undefined, RegExp[]]>([
    ['http CRM off-machine with Authorization', 'http://crm.example.com/c?phone={phone}', { Authorization: TOKEN }, undefined, [/^crm\.url uses plain http:\/\/.*header Authorization/]],
    ['lower-case header name', 'http://10.0.0.5/c?phone={phone}', { authorization: TOKEN }, undefined, [/header authorization/]],
    ['API key in the CRM query', 'http://crm.example.com/c?phone={phone}&api_key=abc', {}, undefined, [/query parameter api_key/]],
    ['https CRM', 'https://crm.example.com/c?phone={phone}', { Authorization: TOKEN }, undefined, []],
    ['loopback CRM', 'http://127.0.0.1:8080/c?phone={phone}', { Authorization: TOKEN }, undefined, []],
    ['localhost CRM', 'http://localhost:8080/c?phone={phone}', { Authorization: TOKEN }, undefined, []],
    ['http CRM without credentials', 'http://crm.example.com/c?phone={phone}', { Accept: 'application/json' }, undefined, []],
    ['http webhook with a token', 'https://crm.example.com/c?phone={phone}', {}, 'http://hooks.example.com/in?token=abc', [/^analytics\.webhookUrl uses plain http:\/\/.*token/]],
    ['https webhook with a token', 'https://crm.example.com/c?phone={phone}', {}, 'https://hooks.example.com/in?token=abc', []],
  ])('%s', (_what, url, headers, webhookUrl, expected) => {
    const warnings = plainHttpCredentialWarnings({ crm: { url, headers }, analytics: { webhookUrl } });
    expect(warnings).toHaveLength(expected.length);
    expected.forEach((pattern, i) => {
      expect(warnings[i]).toMatch(pattern);
    });
    for (const w of warnings) {
      expect(w).not.toContain('s3cr3t');
      expect(w).not.toContain('abc');
    }
  });

  it('reaches the config warnings that the daemon logs at start', () => {
    const raw = { ...minimalRaw(), crm: { url: 'http://crm.example.com/c?phone={phone}', headers: { Authorization: 'Bearer ${CRM_TOKEN}' } } };
    const config = parseConfig(raw, { file: FILE, env: ENV });
    expect(config.warnings?.some((w) => w.startsWith('crm.url uses plain http://'))).toBe(true);
    expect(JSON.stringify(config.warnings)).not.toContain(ENV.CRM_TOKEN);
  });
});
