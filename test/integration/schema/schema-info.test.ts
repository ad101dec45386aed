/** The `schema_info` metric names the schema in use after the flow is republished, not the first one. */
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/index.js';
import { Daemon } from '../../../src/daemon.js';
import { silentLogger } from '../../../src/log.js';
import { DEMO_FLOW_ID, startSandbox, type Sandbox } from '../../../src/sandbox/index.js';
import { DEMO_INPUT_SCHEMA } from '../../../src/sandbox/org/flows.js';
import { memoryAuditSink } from '../../../src/sinks/audit.js';
import { waitFor } from '../../helpers/wait-for.js';

let sandbox: Sandbox | undefined;
let daemon: Daemon | undefined;

afterEach(async () => {
  await daemon?.stop();
  await sandbox?.stop();
});

async function versionsShown(d: Daemon): Promise<string[]> {
  return (await d.metrics.schemaVersion.get()).values.filter((v) => v.value === 1).map((v) => String(v.labels.version));
}

describe('schema_info', () => {
  it('follows a republished flow', async () => {
    sandbox = await startSandbox({ heartbeatIntervalMs: 200 });
    const config = parseConfig(
      {
        genesys: { gatewayUrl: sandbox.url, clientId: 'sandbox-client', clientSecret: 'sandbox-secret', requestsPerMinute: 6000 },
        queues: [{ name: 'Support DE' }],
        flow: { id: DEMO_FLOW_ID },
        crm: { url: 'http://127.0.0.1:9/customers?phone={phone?}' },
        attributes: { map: { 'Flow.accountId': '/account/id' } },
        http: { listen: 'off' },
        backfill: { intervalMs: 0 },
      },
      { file: 'test.yaml', env: {} },
    );
    daemon = await Daemon.start(config, { logger: silentLogger, audit: memoryAuditSink() });
    const first = daemon.schemas.current()?.versionId ?? '';
    expect(await versionsShown(daemon)).toEqual([first]);
    const props = { ...(DEMO_INPUT_SCHEMA.properties as Record<string, object>), 'Flow.extra': { type: 'string' } };
    sandbox.org.flows.publishVersion(DEMO_FLOW_ID, { ...DEMO_INPUT_SCHEMA, properties: props });
    const d = daemon;
    await waitFor(() => d.schemas.current()?.versionId !== first, { what: 'republished schema in use' });
    const second = d.schemas.current()?.versionId ?? '';
    expect(await versionsShown(d)).toEqual([second]);
  });
});
