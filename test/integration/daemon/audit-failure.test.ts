/**
 * The daemon against the sandbox with an audit file that stops taking lines (ENOSPC on cue):
 * an error line, a metric and /readyz 503; no write to Genesys while the trail cannot record
 * it (`audit.onWriteFailure: pause`); the refused line written once the file takes lines again.
 */
import { mkdtempSync, readFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/index.js';
import { Daemon } from '../../../src/daemon.js';
import { DEMO_FLOW_ID, startSandbox, type Sandbox } from '../../../src/sandbox/index.js';
import { customerRecord, startFakeCrm, type FakeCrm } from '../../../src/sandbox/crm/index.js';
import { NODE_AUDIT_FS, type AuditFs } from '../../../src/sinks/audit-file.js';
import type { AuditLine } from '../../../src/sinks/audit.js';
import { RecordingLogger } from '../crm/recording-logger.js';
import { waitFor } from '../../helpers/wait-for.js';

let sandbox: Sandbox | undefined;
let crm: FakeCrm | undefined;
let daemon: Daemon | undefined;

afterEach(async () => {
  await daemon?.stop().catch(() => undefined);
  sandbox?.traffic.stop();
  await crm?.stop();
  await sandbox?.stop();
});

let n = 0;
function knownPhone(): string {
  for (;;) {
    const phone = `+4930777${String(++n).padStart(5, '0')}`;
    if (customerRecord(phone) !== undefined) return phone;
  }
}

/** The real file calls, with a switch that makes every write fail as on a full disk. */
function switchableFs(): AuditFs & { full: boolean } {
  const fs = {
    ...NODE_AUDIT_FS,
    full: false,
    write: (fd: number, data: Buffer): number => {
      if (fs.full) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
      return writeSync(fd, data);
    },
  };
  return fs;
}

async function start(onWriteFailure: 'pause' | 'continue') {
  sandbox = await startSandbox({ heartbeatIntervalMs: 200 });
  crm = await startFakeCrm({});
  const auditFile = join(mkdtempSync(join(tmpdir(), 'audit-fail-')), 'audit.jsonl');
  const config = parseConfig(
    {
      genesys: { gatewayUrl: sandbox.url, clientId: 'sandbox-client', clientSecret: 'sandbox-secret', requestsPerMinute: 6000 },
      queues: [{ name: 'Support DE' }],
      flow: { id: DEMO_FLOW_ID },
      crm: { url: `${crm.url}/customers?phone={phone?}&email={email?}`, timeoutMs: 1_000 },
      attributes: { prefix: 'crm.', map: { 'Flow.accountId': '/account/id' } },
      audit: { file: auditFile, onWriteFailure },
      http: { listen: '127.0.0.1:0' },
      stream: { heartbeatTimeoutMs: 2_000, pongTimeoutMs: 1_000, reconnectMinMs: 20 },
      backfill: { intervalMs: 0 },
    },
    { file: 'test.yaml', env: {} },
  );
  const fs = switchableFs();
  const logger = new RecordingLogger();
  daemon = await Daemon.start(config, { logger }, { audit: { fs, retryMs: 50 } });
  const queueId = sandbox.options.queues[0]!.id;
  const box = sandbox;
  const call = () => box.traffic.startOne({ media: 'call', queueId, script: 'connect', speed: 50, until: 'connected', customerAddress: `tel:${knownPhone()}` });
  const lines = () => readFileSync(auditFile, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as AuditLine);
  const readyz = async () => (await fetch(`${daemon?.opsUrl ?? ''}/readyz`)).status;
  return { daemon, sandbox, fs, logger, call, lines, readyz };
}

async function metric(d: Daemon, name: string): Promise<number> {
  const text = await d.metrics.registry.metrics();
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return Number(m?.[1]);
}

describe('daemon with an audit file that stops taking lines', () => {
  it('pauses Genesys writes, is not ready, logs and counts it, and writes the missed line afterwards', async () => {
    const { daemon: d, sandbox: box, fs, logger, call, lines, readyz } = await start('pause');
    await call();
    await waitFor(() => lines().length === 1, { what: 'first line' });
    expect(await readyz()).toBe(200);

    fs.full = true;
    const second = await call();
    await waitFor(() => box.org.writes.some((w) => w.conversationId === second.id), { what: 'second write' });
    await waitFor(() => d.auditHealth()?.writable === false, { what: 'trail unwritable' });
    expect(await readyz()).toBe(503);
    expect(await metric(d, 'genesys_enricher_audit_write_failures_total')).toBe(1);
    expect(await metric(d, 'genesys_enricher_audit_writable')).toBe(0);
    expect(logger.lines.some((l) => l.level === 'error' && /audit trail cannot be written/.test(l.message) && l.fields.error === 'ENOSPC')).toBe(true);

    // A conversation that connects meanwhile is looked up but not written.
    const third = await call();
    const lookups = async () => (await d.metrics.crmLookups.get()).values.reduce((sum, v) => sum + v.value, 0);
    await waitFor(async () => (await lookups()) === 3, { what: 'third looked up' });
    const writesWhileFull = box.org.writes.length;
    // Nothing to wait for here: give an unpaused pipeline ample time to write, then look.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(box.org.writes.length).toBe(writesWhileFull);
    expect(box.org.writes.some((w) => w.conversationId === third.id)).toBe(false);

    fs.full = false;
    await waitFor(() => lines().length === 3, { what: 'missed line and third line written' });
    expect(lines().map((l) => [l.conversationId, l.event])).toEqual([
      [expect.any(String), 'enriched'],
      [second.id, 'enriched'],
      [third.id, 'enriched'],
    ]);
    expect(box.org.writes.filter((w) => w.conversationId === third.id)).toHaveLength(1);
    expect(await readyz()).toBe(200);
    expect(await metric(d, 'genesys_enricher_audit_writable')).toBe(1);
  });

  it('with onWriteFailure: continue, goes on writing to Genesys and still writes the lines later', async () => {
    const { daemon: d, sandbox: box, fs, call, lines, readyz } = await start('continue');
    fs.full = true;
    const first = await call();
    await waitFor(() => d.auditHealth()?.writable === false, { what: 'trail unwritable' });
    const second = await call();
    await waitFor(() => box.org.writes.some((w) => w.conversationId === second.id), { what: 'second written despite the trail' });
    expect(await readyz()).toBe(503);
    fs.full = false;
    await waitFor(() => lines().length === 2, { what: 'both lines' });
    expect(lines().map((l) => l.conversationId)).toEqual([first.id, second.id]);
  });
});
