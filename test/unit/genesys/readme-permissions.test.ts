// The README's permission table and the call table in code say the same thing: every call that
// needs a permission has a README row naming its path and that permission.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GENESYS_CALLS } from '../../../src/genesys/calls.js';

const README = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
const section = README.slice(README.indexOf('### Permissions the OAuth client needs'), README.indexOf('## Operator commands'));
const rows = section.split('\n').filter((l) => l.startsWith('| `'));

describe('README permission table', () => {
  it.each(GENESYS_CALLS.filter((c) => 'permission' in c).map((c) => [c.endpoint, c.permission] as const))('%s needs %s', (endpoint, permission) => {
    const [method, path] = endpoint.split(' ') as [string, string];
    const row = rows.find((r) => r.includes(`\`${method} ${path}\``));
    expect(row, `no README row for ${endpoint}`).toBeDefined();
    expect(row).toContain(`\`${permission}\``);
  });

  it('says the attribute PATCH has no documented permission', () => {
    expect(rows.find((r) => r.includes('/attributes'))).toContain('none documented');
  });
});
