/** The `sandbox` flags: good values become options, bad ones a usage error naming the flag. */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/cli/exit.js';
import { sandboxOptionsFrom } from '../../../src/cli/sandbox-args.js';
import { exportLines, sandboxVariables } from '../../../src/cli/sandbox-env.js';

describe('sandboxOptionsFrom', () => {
  it('fills the defaults', () => {
    expect(sandboxOptionsFrom({})).toEqual({ port: 0, ratePerSec: 2, durationS: 0, serveOnly: false });
  });

  it('takes good values', () => {
    expect(
      sandboxOptionsFrom({ port: '8080', rate: '0.5', duration: '30', 'audit-file': '/tmp/a.jsonl', 'http-listen': '127.0.0.1:9464', 'serve-only': true }),
    ).toEqual({ port: 8080, ratePerSec: 0.5, durationS: 30, auditFile: '/tmp/a.jsonl', httpListen: '127.0.0.1:9464', serveOnly: true });
  });

  it.each([
    [{ rate: '0' }, /--rate must be above 0/],
    [{ rate: '-1' }, /--rate must be above 0/],
    [{ rate: '1e9' }, /--rate must be above 0 and at most 1000/],
    [{ rate: 'fast' }, /--rate must be a number, not "fast"/],
    [{ rate: 'NaN' }, /--rate must be a number/],
    [{ rate: '' }, /--rate must be a number/],
    [{ port: '99999' }, /--port must be a whole number from 0 to 65535/],
    [{ port: '-1' }, /--port must be a whole number from 0 to 65535/],
    [{ port: '80.5' }, /--port must be a whole number/],
    [{ port: 'Infinity' }, /--port must be a number/],
    [{ duration: '-5' }, /--duration must be from 0/],
    [{ duration: '1e12' }, /--duration must be from 0/],
    [{ 'http-listen': 'nowhere' }, /--http-listen must be HOST:PORT or "off"/],
    [{ 'audit-file': '' }, /--audit-file needs a value/],
  ])('%o is refused', (values, message) => {
    expect(() => sandboxOptionsFrom(values)).toThrow(UsageError);
    expect(() => sandboxOptionsFrom(values)).toThrow(message);
  });
});

describe('exportLines', () => {
  it('prints one export per variable, which a POSIX shell reads back exactly (quotes and spaces included)', () => {
    const vars = sandboxVariables({
      gatewayUrl: 'http://127.0.0.1:1234',
      clientId: 'sandbox-client',
      clientSecret: "it's a $secret `x`",
      crmUrl: 'http://127.0.0.1:5678',
      crmToken: 'abc',
      auditFile: '/tmp/dir with space/audit.jsonl',
      httpListen: 'off',
      configFile: '/opt/config/sandbox.yaml',
    });
    const text = exportLines(vars);
    expect(text.split('\n').filter((l) => l !== '').every((l) => l.startsWith('export SANDBOX_'))).toBe(true);
    const printed = execFileSync('sh', ['-c', `${text}printf '%s\\n' "$SANDBOX_CLIENT_SECRET" "$SANDBOX_AUDIT_FILE" "$SANDBOX_CONFIG"`], { encoding: 'utf8' });
    expect(printed).toBe("it's a $secret `x`\n/tmp/dir with space/audit.jsonl\n/opt/config/sandbox.yaml\n");
  });
});
