/**
 * `genesys-enricher sandbox` (what `npm start` runs): the built-in Genesys org with live traffic
 * in three queues, a fake CRM and a published flow, then the daemon against it through the normal
 * config path (config/sandbox.yaml). One readable line per decision; Ctrl-C prints a summary.
 * With `--serve-only` no daemon runs: it prints the variables that config reads, so the operator
 * commands (`run`, `check`, `inspect`, `audit`) can be pointed at the sandbox from another shell.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../config/index.js';
import type { Daemon } from '../daemon.js';
import { startSandbox, type Sandbox } from '../sandbox/index.js';
import { startFakeCrm, type FakeCrm } from '../sandbox/crm/index.js';
import { SANDBOX_CLIENT } from '../sandbox/options.js';
import type { AuditLine } from '../sinks/audit.js';
import { createLogger } from '../sinks/logger.js';
import { runDaemonUntilSignal } from './run-command.js';
import { processStopSignals } from './stop-signals.js';
import type { SandboxCommandOptions } from './sandbox-args.js';
import { exportLines, sandboxVariables, type SandboxEndpoints } from './sandbox-env.js';

export type { SandboxCommandOptions } from './sandbox-args.js';

/** The shipped sandbox config, found by walking up from this file (works from src/ and dist/src/). */
export function sandboxConfigPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++, dir = dirname(dir)) {
    const candidate = join(dir, 'config', 'sandbox.yaml');
    if (existsSync(candidate)) return candidate;
  }
  throw new Error('config/sandbox.yaml not found next to the program');
}

/** The org, the fake CRM and how to reach them. */
interface SandboxServices {
  readonly sandbox: Sandbox;
  readonly crm: FakeCrm;
  readonly endpoints: SandboxEndpoints;
  stop(): Promise<void>;
}

async function startServices(opts: SandboxCommandOptions): Promise<SandboxServices> {
  const sandbox = await startSandbox({ port: opts.port, heartbeatIntervalMs: 10_000 });
  const crmToken = randomBytes(12).toString('hex');
  let crm: FakeCrm;
  try {
    crm = await startFakeCrm({ token: crmToken, latencyMs: 15, directory: sandbox.org.customers });
  } catch (err) {
    await sandbox.stop();
    throw err;
  }
  const endpoints: SandboxEndpoints = {
    gatewayUrl: sandbox.url,
    clientId: SANDBOX_CLIENT.clientId,
    clientSecret: SANDBOX_CLIENT.clientSecret,
    crmUrl: crm.url,
    crmToken,
    auditFile: opts.auditFile ?? join(mkdtempSync(join(tmpdir(), 'genesys-enricher-')), 'audit.jsonl'),
    httpListen: opts.httpListen ?? 'off',
    configFile: sandboxConfigPath(),
  };
  return {
    sandbox,
    crm,
    endpoints,
    async stop() {
      sandbox.traffic.stop();
      await crm.stop();
      await sandbox.stop();
    },
  };
}

/** `genesys-enricher sandbox`: the org, the fake CRM and (unless `serveOnly`) the daemon against them. */
export async function sandboxCommand(opts: SandboxCommandOptions): Promise<number> {
  const services = await startServices(opts);
  try {
    return opts.serveOnly ? await serveOnly(services, opts) : await withDaemon(services, opts);
  } finally {
    await services.stop();
  }
}

/**
 * No daemon: print the variables (as `export` lines, everything else as `#` comments, so the
 * whole output can be sourced) and serve until Ctrl-C, SIGTERM or `--duration`.
 */
async function serveOnly({ sandbox, endpoints }: SandboxServices, opts: SandboxCommandOptions): Promise<number> {
  const out = process.stdout;
  out.write(`# Sandbox Genesys org on ${endpoints.gatewayUrl}, fake CRM on ${endpoints.crmUrl}; no daemon runs.\n`);
  out.write(`# Queues: ${sandbox.options.queues.map((q) => q.name).join(', ')}. Paste these lines into another shell:\n`);
  out.write(exportLines(sandboxVariables(endpoints)));
  out.write(
    [
      '# then, for example:',
      '#   genesys-enricher check --config "$SANDBOX_CONFIG"',
      '#   genesys-enricher run --config "$SANDBOX_CONFIG"',
      '#   genesys-enricher inspect --config "$SANDBOX_CONFIG" --conversation ID   (ids: GET $SANDBOX_GATEWAY_URL/sandbox/truth)',
      '#   genesys-enricher audit "$SANDBOX_AUDIT_FILE"',
      '# Ctrl-C stops the sandbox.',
      '',
    ].join('\n'),
  );
  sandbox.traffic.start({ ratePerSec: opts.ratePerSec, speed: 20 });
  await untilStopped(opts.durationS);
  return 0;
}

/** Resolves on the first SIGINT or SIGTERM, or after `durationS` seconds when that is above 0. */
async function untilStopped(durationS: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const elapsed = new Promise<void>((resolve) => {
    if (durationS > 0) timer = setTimeout(resolve, durationS * 1000);
  });
  await Promise.race([processStopSignals().stopped, elapsed]);
  clearTimeout(timer);
}

async function withDaemon({ sandbox, endpoints }: SandboxServices, opts: SandboxCommandOptions): Promise<number> {
  const out = process.stdout;
  // The shipped config reads the sandbox's addresses from these variables, like any other config.
  Object.assign(process.env, sandboxVariables(endpoints));
  const config = await loadConfig(endpoints.configFile);
  const logger = createLogger({ ...config.log, level: 'warn' });
  const queueNames = new Map(sandbox.options.queues.map((q) => [q.id, q.name]));

  out.write(`Sandbox Genesys org on ${endpoints.gatewayUrl}, fake CRM on ${endpoints.crmUrl}\n`);
  out.write(`Audit trail: ${endpoints.auditFile}\n`);
  out.write(`Queues: ${sandbox.options.queues.map((q) => q.name).join(', ')}. Press Ctrl-C to stop.\n\n`);

  const onDecision = (line: AuditLine): void => {
    out.write(`${formatDecision(line, queueNames)}\n`);
  };
  sandbox.traffic.start({ ratePerSec: opts.ratePerSec, speed: 20 });
  if (opts.durationS > 0) setTimeout(() => process.kill(process.pid, 'SIGINT'), opts.durationS * 1000).unref();
  const summary = (daemon: Daemon): void => {
    const s = daemon.enricher.summary;
    const p = (q: number): string => `${(s.latency.percentile(q) ?? 0).toFixed(1)} ms`;
    out.write(
      `\nSummary: seen ${s.seen}, enriched ${s.enriched}, skipped ${s.skipped}, failed ${s.failed}; ` +
        `latency p50 ${p(50)}, p99 ${p(99)}; Genesys writes ${sandbox.org.writes.length}\n`,
    );
  };
  const onStarted = (daemon: Daemon): void => {
    if (daemon.opsUrl !== undefined) out.write(`Health and metrics: ${daemon.opsUrl}/healthz /readyz /metrics\n\n`);
  };
  return await runDaemonUntilSignal(config, { logger, onDecision }, logger, { onStarted, onStopped: summary });
}

/** One readable line per decision (keys only: values are customer data). */
export function formatDecision(line: AuditLine, queueNames: ReadonlyMap<string, string>): string {
  const time = line.ts.slice(11, 19);
  const queue = line.queueId !== undefined ? (queueNames.get(line.queueId) ?? line.queueId.slice(0, 8)) : '-';
  const conv = line.conversationId.slice(0, 8);
  const head = `${time}  ${line.event.padEnd(8)} ${conv}  ${queue.padEnd(11)} ${(line.media ?? '').padEnd(8)}`;
  if (line.event === 'enriched') {
    const keys = Object.keys(line.attributes ?? {}).filter((k) => !k.endsWith('enricher.traceId'));
    const dropped = line.dropped?.length ? `, dropped ${line.dropped.map((d) => d.field).join(',')}` : '';
    return `${head} crm=${line.crm ?? '-'}  ${keys.length} attributes${dropped}  ${line.latencyMs.total.toFixed(1)} ms`;
  }
  return `${head} ${line.reason ?? ''}${line.crm ? ` (crm=${line.crm})` : ''}`;
}
