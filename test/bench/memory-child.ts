/**
 * The daemon under the memory benchmark, alone in its process (so its RSS is its own), started
 * with `--expose-gc`. Everything is real except the PATCH, which answers at once: the firehose's
 * conversations do not exist in the sandbox org, and the point is that every conversation gets
 * decided and remembered, so that the dedupe and the CRM cache fill up to their bounds. With
 * `stubCrm` the CRM lookup answers at once too (to tell the CRM client's memory from the rest).
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Daemon } from '../../src/daemon.js';
import { benchConfig } from './config.js';
import { channelIdOf, discardAudit, startDaemon } from './daemon-harness.js';
import { serveCommands } from './ipc.js';
import type { MemoryCommands } from './protocol.js';
import { mb, until } from './stats.js';

let daemon: Daemon | undefined;

function collect(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
}

serveCommands<MemoryCommands>(
  {
    async start({ sandboxUrl, crmUrl, stubCrm }) {
      const config = benchConfig({
        gatewayUrl: sandboxUrl,
        crmUrl,
        requestsPerMinute: 300,
        maxConcurrentRequests: 10,
        auditFile: join(tmpdir(), 'genesys-enricher-bench-unused.jsonl'),
        drainTimeoutMs: 200,
      });
      daemon = await startDaemon(config, { stubIo: { crm: stubCrm, writer: true }, deps: { audit: discardAudit } });
      return { channelId: channelIdOf(daemon) };
    },
    async sample({ frames, settleMs }) {
      const d = daemon;
      if (!d) throw new Error('daemon not started');
      // Every frame counts where it lands, parsed or not (repeats of settled conversations are
      // dropped before parsing and never reach the pipeline).
      const offered = (): number => d.channelStats()[0]?.frames ?? 0;
      await until(() => offered() >= frames && d.enricher.depth === 0, settleMs, 50);
      collect();
      const m = process.memoryUsage();
      const crm = d.crm.stats();
      return {
        rssMb: mb(m.rss),
        heapUsedMb: mb(m.heapUsed),
        heapTotalMb: mb(m.heapTotal),
        externalMb: mb(m.external),
        arrayBuffersMb: mb(m.arrayBuffers),
        claims: d.enricher.claims.size,
        crmCache: crm.cacheSize,
        crmRequests: crm.requests,
        frames: offered(),
        seen: d.enricher.summary.seen,
        workQueueDepth: d.enricher.depth,
      };
    },
  },
  async () => {
    await daemon?.stop();
  },
);
