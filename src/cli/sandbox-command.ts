/**
 * `genesys-enricher sandbox` (what `npm start` runs): the built-in Genesys org with live traffic
 * in three queues, a fake CRM and a published flow, then the daemon against it through the normal
 * config path (config/sandbox.yaml). One readable line per decision; Ctrl-C prints a summary.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../config/index.js';
import type { Daemon } from '../daemon.js';
import { startSandbox } from '../sandbox/index.js';
import { startFakeCrm } from '../sandbox/crm/index.js';
import { SANDBOX_CLIENT } from '../sandbox/options.js';
import type { AuditLine } from '../sinks/audit.js';
import { createLogger } from '../sinks/logger.js';
import { runDaemonUntilSignal } from './run-command.js';

export interface SandboxCommandOptions {
  readonly port: number;
  /** New conversations per second. */
  readonly ratePerSec: number;
  /** Stop by itself after this many seconds (0: run until Ctrl-C). */
  readonly durationS: number;
  readonly auditFile?: string;
  readonly httpListen?: string;
}

/** The shipped sandbox config, found by walking up from this file (works from src/ and dist/src/). */
export function sandboxConfigPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++, dir = dirname(dir)) {
    const candidate = join(dir, 'config', 'sandbox.yaml');
    if (existsSync(candidate)) return candidate;
  }
  throw new Error('config/sandbox.yaml not found next to the program');
}

export async function sandboxCommand(opts: SandboxCommandOptions): Promise<number> {
  const out = process.stdout;
  const sandbox = await startSandbox({ port: opts.port, heartbeatIntervalMs: 10_000 });
  const crmToken = randomBytes(12).toString('hex');
  const crm = await startFakeCrm({ token: crmToken, latencyMs: 15, directory: sandbox.org.customers });
  const auditFile = opts.auditFile ?? join(mkdtempSync(join(tmpdir(), 'genesys-enricher-')), 'audit.jsonl');
  process.env.SANDBOX_GATEWAY_URL = sandbox.url;
  process.env.SANDBOX_CLIENT_SECRET = SANDBOX_CLIENT.clientSecret;
  process.env.SANDBOX_CRM_URL = crm.url;
  process.env.SANDBOX_CRM_TOKEN = crmToken;
  process.env.SANDBOX_AUDIT_FILE = auditFile;
  process.env.SANDBOX_HTTP_LISTEN = opts.httpListen ?? 'off';
  const config = await loadConfig(sandboxConfigPath());
  const logger = createLogger({ ...config.log, level: 'warn' });
  const queueNames = new Map(sandbox.options.queues.map((q) => [q.id, q.name]));

  out.write(`Sandbox Genesys org on ${sandbox.url}, fake CRM on ${crm.url}\n`);
  out.write(`Audit trail: ${auditFile}\n`);
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
  try {
    const onStarted = (daemon: Daemon): void => {
      if (daemon.opsUrl !== undefined) out.write(`Health and metrics: ${daemon.opsUrl}/healthz /readyz /metrics\n\n`);
    };
    return await runDaemonUntilSignal(config, { logger, onDecision }, logger, { onStarted, onStopped: summary });
  } finally {
    sandbox.traffic.stop();
    await crm.stop();
    await sandbox.stop();
  }
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
