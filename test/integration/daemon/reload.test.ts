/**
 * Reloads are all or nothing: a reload that fails at any step (here: the new audit file cannot
 * be opened) leaves queues, prefix and audit file as they were, a second try fails the same way,
 * and a later good reload reports only the sections that changed.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig, type EnricherConfig } from '../../../src/config/index.js';
import { Daemon } from '../../../src/daemon.js';
import { silentLogger } from '../../../src/log.js';
import { DEMO_FLOW_ID, startSandbox, type Sandbox } from '../../../src/sandbox/index.js';
import { customerRecord, startFakeCrm, type FakeCrm } from '../../../src/sandbox/crm/index.js';
import { waitFor } from '../../helpers/wait-for.js';

let sandbox: Sandbox | undefined;
let crm: FakeCrm | undefined;
let daemon: Daemon | undefined;

afterEach(async () => {
  await daemon?.stop();
  daemon = undefined;
  sandbox?.traffic.stop();
  await crm?.stop();
  await sandbox?.stop();
});

let n = 0;
function knownPhone(): string {
  for (;;) {
    const phone = `+4930666${String(++n).padStart(5, '0')}`;
    if (customerRecord(phone) !== undefined) return phone;
  }
}

describe('Daemon.reload', () => {
  it('a rejected reload changes nothing; the next reload reports truly', async () => {
    sandbox = await startSandbox({ heartbeatIntervalMs: 200 });
    crm = await startFakeCrm({});
    const dir = mkdtempSync(join(tmpdir(), 'reload-'));
    const auditFile = join(dir, 'audit.jsonl');
    const config = (edits: { queues?: string[]; prefix?: string; auditFile?: string; heartbeatTimeoutMs?: number } = {}): EnricherConfig =>
      parseConfig(
        {
          genesys: { gatewayUrl: sandbox!.url, clientId: 'sandbox-client', clientSecret: 'sandbox-secret', requestsPerMinute: 6000 },
          queues: (edits.queues ?? ['Support DE']).map((name) => ({ name })),
          flow: { id: DEMO_FLOW_ID },
          crm: { url: `${crm!.url}/customers?phone={phone?}&email={email?}` },
          attributes: { prefix: edits.prefix ?? 'crm.', map: { 'Flow.accountId': '/account/id' } },
          audit: { file: edits.auditFile ?? auditFile },
          http: { listen: 'off' },
          stream: { heartbeatTimeoutMs: edits.heartbeatTimeoutMs ?? 400, pongTimeoutMs: 300, reconnectMinMs: 20 },
        },
        { file: 'test.yaml', env: {} },
      );
    daemon = await Daemon.start(config(), { logger: silentLogger });
    const [support, sales] = sandbox.options.queues;
    const bad = config({ queues: ['Support DE', sales!.name], prefix: 'new.', auditFile: join(dir, 'missing-dir', 'audit.jsonl') });

    await expect(daemon.reload(bad)).rejects.toThrow();
    // Nothing of it applied: queues, prefix and audit file are the old ones.
    expect(daemon.queues.map((q) => q.id)).toEqual([support!.id]);
    expect(daemon.config.attributes.prefix).toBe('crm.');
    expect(daemon.config.audit.file).toBe(auditFile);
    await sandbox.traffic.startOne({ media: 'call', queueId: support!.id, script: 'connect', speed: 50, until: 'connected', customerAddress: `tel:${knownPhone()}` });
    await waitFor(() => sandbox?.org.writes.length === 1, { timeoutMs: 10_000, what: 'the enrichment' });
    expect(Object.keys(sandbox.org.writes[0]!.attributes).every((k) => k.startsWith('crm.'))).toBe(true);
    await waitFor(() => readFileSync(auditFile, 'utf8').includes('"enriched"'), { what: 'the audit line in the old file' });

    // The same bad config is refused again: the first attempt left no trace to compare against.
    await expect(daemon.reload(bad)).rejects.toThrow();
    expect(daemon.config.audit.file).toBe(auditFile);

    // A good reload names exactly what changed.
    await expect(daemon.reload(config({ prefix: 'new.' }))).resolves.toEqual({ applied: ['attributes'], needsRestart: [] });
    await expect(daemon.reload(config({ prefix: 'new.' }))).resolves.toEqual({ applied: [], needsRestart: [] });
    await expect(daemon.reload(config({ prefix: 'new.', queues: ['Support DE', sales!.name] }))).resolves.toEqual({ applied: ['queues'], needsRestart: [] });
    expect(daemon.queues.map((q) => q.id)).toEqual([support!.id, sales!.id]);

    // New stream timings move the live channel to a new one made with them, overlap first.
    const created = sandbox.hub.counters.channelsCreated;
    await expect(daemon.reload(config({ prefix: 'new.', queues: ['Support DE', sales!.name], heartbeatTimeoutMs: 900 }))).resolves.toEqual({ applied: ['stream'], needsRestart: [] });
    expect(sandbox.hub.counters.channelsCreated).toBe(created + 1);
    expect(daemon.channelStats().map((c) => c.state)).toEqual(['open']);
    await waitFor(() => sandbox?.hub.connections() === 1, { what: 'the old socket closed' });
    await sandbox.traffic.startOne({ media: 'call', queueId: sales!.id, script: 'connect', speed: 50, until: 'connected', customerAddress: `tel:${knownPhone()}` });
    await waitFor(() => sandbox?.org.writes.length === 2, { timeoutMs: 10_000, what: 'an enrichment through the new channel' });
    expect(Object.keys(sandbox.org.writes[1]!.attributes).every((k) => k.startsWith('new.'))).toBe(true);
  }, 60_000);
});
