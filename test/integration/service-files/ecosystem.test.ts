/**
 * The pm2 process file (config/ecosystem.config.cjs): it loads the way pm2 loads it (require),
 * and its stop, restart, path and credential settings agree with the daemon and the systemd unit.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../../src/cli/exit.js';
import { CONFIG_DEFAULTS } from '../../../src/config/constants.js';
import { lastValue, parseTimespanMs, parseUnitFile, values } from './unit-file.js';

/** The fields of a pm2 app this test relies on (everything else pm2 accepts is left unchecked). */
interface Pm2App {
  name: string;
  script: string;
  args: string[];
  exec_mode: string;
  instances: number;
  env: Record<string, string>;
  kill_timeout: number;
  autorestart: boolean;
  stop_exit_codes: number[];
  exp_backoff_restart_delay: number;
  min_uptime: number;
  max_restarts: number;
  error_file: string;
  out_file: string;
  merge_logs: boolean;
}

const ROOT = new URL('../../../', import.meta.url);
const require = createRequire(import.meta.url);
const ecosystem = require(fileURLToPath(new URL('config/ecosystem.config.cjs', ROOT))) as { apps: Pm2App[] };
const unit = parseUnitFile(readFileSync(new URL('config/genesys-enricher.service', ROOT), 'utf8'));

describe('config/ecosystem.config.cjs', () => {
  const app = ecosystem.apps[0]!;

  it('declares exactly one app, one forked process', () => {
    expect(ecosystem.apps).toHaveLength(1);
    expect(app.name).toBe('genesys-enricher');
    expect(app.exec_mode).toBe('fork');
    expect(app.instances).toBe(1);
  });

  it('runs the built CLI of this package with the same arguments as the systemd unit', () => {
    expect(resolve(app.script)).toBe(fileURLToPath(new URL('dist/src/cli.js', ROOT)));
    const execStart = lastValue(unit, 'Service', 'ExecStart') ?? '';
    expect(app.args.join(' ')).toBe(execStart.split(' ').slice(1).join(' '));
    expect(app.env.NODE_ENV).toBe('production');
  });

  it('waits for the drain before SIGKILL, as long as systemd does', () => {
    expect(app.kill_timeout).toBeGreaterThan(CONFIG_DEFAULTS.pipeline.drainTimeoutMs);
    expect(app.kill_timeout).toBe(parseTimespanMs(lastValue(unit, 'Service', 'TimeoutStopSec') ?? '0'));
  });

  it('restarts after runtime failures with backoff, but not after a config error', () => {
    expect(app.autorestart).toBe(true);
    expect(app.stop_exit_codes).toContain(EXIT.usage);
    expect(app.stop_exit_codes).not.toContain(EXIT.runtime);
    expect(app.exp_backoff_restart_delay).toBeGreaterThan(0);
    expect(app.max_restarts).toBeGreaterThan(0);
    expect(app.min_uptime).toBeGreaterThan(0);
  });

  it('reads credentials from the directory the systemd unit loads them from', () => {
    const sources = values(unit, 'Service', 'LoadCredential').map((v) => v.slice(v.indexOf(':') + 1));
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) expect(dirname(source)).toBe(app.env.CREDENTIALS_DIRECTORY);
  });

  it('writes its own log files next to the audit trail, merged across restarts', () => {
    const logsDir = `/var/log/${lastValue(unit, 'Service', 'LogsDirectory') ?? ''}`;
    expect(dirname(app.out_file)).toBe(logsDir);
    expect(dirname(app.error_file)).toBe(logsDir);
    expect(app.merge_logs).toBe(true);
  });
});
