/**
 * The systemd unit (config/genesys-enricher.service): the settings the daemon's contract needs,
 * agreement with the example config and the logrotate rules, and `systemd-analyze verify` (plus an
 * offline security score) when systemd's tools are installed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { EXIT } from '../../../src/cli/exit.js';
import { CONFIG_DEFAULTS } from '../../../src/config/constants.js';
import { lastValue, parseTimespanMs, parseUnitFile, values } from './unit-file.js';

const ROOT = new URL('../../../', import.meta.url);
const UNIT_NAME = 'genesys-enricher.service';
const UNIT_TEXT = readFileSync(new URL(`config/${UNIT_NAME}`, ROOT), 'utf8');
const unit = parseUnitFile(UNIT_TEXT);
const CREDENTIALS = ['genesys-client-secret', 'crm-token'];

describe('unit file reader', () => {
  it.each([
    ['30', 30_000],
    ['30s', 30_000],
    ['1min 30s', 90_000],
    ['500ms', 500],
    ['2h', 7_200_000],
  ])('reads the time span %s as %d ms', (span, ms) => {
    expect(parseTimespanMs(span)).toBe(ms);
  });

  it('rejects what is not a time span or an assignment', () => {
    expect(() => parseTimespanMs('soon')).toThrow(/not a time span/);
    expect(() => parseUnitFile('[Service]\nnot an assignment')).toThrow(/line 2/);
  });

  it('keeps repeated keys in order and joins continued lines', () => {
    const parsed = parseUnitFile('# c\n[Service]\nA=1\nA=\nB=x\\\n  y\n');
    expect(values(parsed, 'Service', 'A')).toEqual(['1', '']);
    expect(lastValue(parsed, 'Service', 'B')).toBe('x y');
  });
});

describe('config/genesys-enricher.service', () => {
  it.each([
    ['Service', 'Type', 'exec'],
    ['Service', 'User', 'genesys-enricher'],
    ['Service', 'Group', 'genesys-enricher'],
    ['Service', 'ExecReload', '/usr/bin/genesys-enricher reload --pid $MAINPID'],
    ['Service', 'RuntimeDirectory', 'genesys-enricher'],
    ['Service', 'Restart', 'on-failure'],
    // A config error exits with the usage code: restarting cannot fix it.
    ['Service', 'RestartPreventExitStatus', String(EXIT.usage)],
    ['Service', 'KillSignal', 'SIGTERM'],
    ['Service', 'LogsDirectory', 'genesys-enricher'],
    ['Service', 'NoNewPrivileges', 'yes'],
    ['Service', 'ProtectSystem', 'strict'],
    ['Service', 'ProtectHome', 'yes'],
    ['Service', 'PrivateTmp', 'yes'],
    ['Service', 'PrivateDevices', 'yes'],
    ['Service', 'ProtectKernelTunables', 'yes'],
    ['Service', 'ProtectKernelModules', 'yes'],
    ['Service', 'ProtectControlGroups', 'yes'],
    ['Service', 'LockPersonality', 'yes'],
    ['Service', 'CapabilityBoundingSet', ''],
    ['Service', 'RestrictAddressFamilies', 'AF_INET AF_INET6 AF_UNIX'],
    ['Install', 'WantedBy', 'multi-user.target'],
  ])('[%s] %s=%s', (section, key, expected) => {
    expect(lastValue(unit, section, key)).toBe(expected);
  });

  it('restricts system calls to @system-service and runs in production mode', () => {
    expect(values(unit, 'Service', 'SystemCallFilter')).toContain('@system-service');
    expect(values(unit, 'Service', 'Environment')).toContain('NODE_ENV=production');
  });

  it('leaves MemoryDenyWriteExecute off (V8 JIT needs executable mappings)', () => {
    expect(values(unit, 'Service', 'MemoryDenyWriteExecute')).toEqual([]);
  });

  it('runs the daemon with `run --config` on the config file under /etc', () => {
    expect(lastValue(unit, 'Service', 'ExecStart')).toBe('/usr/bin/genesys-enricher run --config /etc/genesys-enricher/config.yaml');
  });

  it('gives both secrets through LoadCredential= from root-only files', () => {
    const loaded = values(unit, 'Service', 'LoadCredential').map((v) => {
      const [name, source] = v.split(':');
      return { name, source };
    });
    expect(loaded.map((c) => c.name).sort()).toEqual([...CREDENTIALS].sort());
    for (const c of loaded) expect(c.source).toBe(`/etc/genesys-enricher/credentials/${c.name ?? ''}`);
  });

  it('waits longer than the drain timeout before SIGKILL', () => {
    const stop = lastValue(unit, 'Service', 'TimeoutStopSec');
    expect(stop).toBeDefined();
    expect(parseTimespanMs(stop ?? '')).toBeGreaterThan(CONFIG_DEFAULTS.pipeline.drainTimeoutMs);
  });

  it('lets the example config write its audit file into the LogsDirectory, where logrotate looks', () => {
    const example = parseYaml(readFileSync(new URL('config/example.yaml', ROOT), 'utf8')) as { audit: { file: string } };
    const logsDir = `/var/log/${lastValue(unit, 'Service', 'LogsDirectory') ?? ''}/`;
    expect(example.audit.file.startsWith(logsDir)).toBe(true);
    const logrotate = readFileSync(new URL('config/logrotate.conf', ROOT), 'utf8');
    expect(logrotate).toMatch(new RegExp(`^${example.audit.file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} \\{`, 'm'));
    expect(logrotate).toContain(`systemctl kill --signal=USR1 ${UNIT_NAME}`);
  });

  it('is documented with the same credential names the config references', () => {
    const docs = readFileSync(new URL('docs/operations.md', ROOT), 'utf8');
    for (const name of CREDENTIALS) {
      expect(docs).toContain(`\${credential:${name}}`);
      expect(docs).toContain(`/etc/genesys-enricher/credentials/${name}`);
    }
  });

  it('shows the shipped logrotate rules in the docs, word for word (comments aside)', () => {
    const rules = readFileSync(new URL('config/logrotate.conf', ROOT), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.trim().startsWith('#'))
      .join('\n');
    expect(rules).toMatch(/^\/var\/log\/.*\{\n[^]*\n\}$/);
    expect(readFileSync(new URL('docs/operations.md', ROOT), 'utf8')).toContain(rules);
  });
});

/** `systemd-analyze --version` as a number, or undefined when the tool is missing. */
function systemdAnalyzeVersion(): number | undefined {
  const r = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
  if (r.error !== undefined || r.status !== 0) return undefined;
  const m = /^systemd (\d+)/.exec(r.stdout);
  return m ? Number(m[1]) : 0;
}

const analyzeVersion = systemdAnalyzeVersion();
const missing = analyzeVersion === undefined ? ' (SKIPPED: systemd-analyze is not installed; apt-get install systemd)' : '';
// `security --offline` arrived in systemd 250.
const noOffline = analyzeVersion !== undefined && analyzeVersion < 250 ? ` (SKIPPED: systemd ${analyzeVersion} has no security --offline)` : missing;

describe('systemd-analyze', () => {
  const dir = mkdtempSync(join(tmpdir(), 'unit-verify-'));
  afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

  /** The unit with ExecStart and ExecReload pointing at a binary that exists here (verify checks it is executable). */
  function unitCopy(): string {
    const file = join(dir, UNIT_NAME);
    writeFileSync(file, UNIT_TEXT.replace(/^ExecStart=\S+/m, `ExecStart=${process.execPath}`).replace(/^ExecReload=\S+/m, `ExecReload=${process.execPath}`));
    return file;
  }

  it.skipIf(analyzeVersion === undefined)(`verify accepts the unit${missing}`, () => {
    const r = spawnSync('systemd-analyze', ['verify', '--man=no', unitCopy()], { encoding: 'utf8' });
    const about = `${r.stdout}${r.stderr}`.split('\n').filter((l) => l.includes('genesys-enricher'));
    expect(about).toEqual([]);
    expect(r.status).toBe(0);
  });

  it.skipIf(noOffline !== '')(`security rates the unit's exposure at 3.0 or better${noOffline}`, () => {
    const r = spawnSync('systemd-analyze', ['security', '--offline=yes', '--threshold=30', '--no-pager', unitCopy()], { encoding: 'utf8' });
    expect(r.stdout).toMatch(/Overall exposure level for genesys-enricher\.service: \d/);
    expect(r.status).toBe(0);
  });
});
