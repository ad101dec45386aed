/**
 * The benchmark's sandbox, in its own process so that its CPU (HTTP API, websocket fan-out,
 * traffic, the firehose pump, the fake CRM) does not share the measuring process's core. Started
 * by run.ts with `fork`; answers the commands of `SandboxCommands` over IPC.
 */
import { startFakeCrm, type FakeCrm } from '../../src/sandbox/crm/index.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { buildFirehoseFrames } from '../../src/sandbox/traffic/firehose-frames.js';
import { framesForPass } from './frames.js';
import { serveCommands } from './ipc.js';
import type { SandboxCommands } from './protocol.js';

let sandbox: Sandbox | undefined;
let crm: FakeCrm | undefined;
let baseFrames: string[] = [];

function running(): Sandbox {
  if (!sandbox) throw new Error('sandbox not started');
  return sandbox;
}

serveCommands<SandboxCommands>(
  {
    async start(args) {
      sandbox = await startSandbox({ ...args });
      crm = await startFakeCrm();
      return { url: sandbox.url, crmUrl: crm.url, queueIds: sandbox.options.queues.map((q) => q.id) };
    },
    buildFrames({ count, conversations, seed }) {
      const started = performance.now();
      baseFrames = buildFirehoseFrames(count, { queueIds: running().options.queues.map((q) => q.id), conversations, seed });
      const bytes = baseFrames.reduce((sum, f) => sum + f.length, 0);
      return { frames: baseFrames.length, avgBytes: Math.round(bytes / Math.max(1, baseFrames.length)), ms: Math.round(performance.now() - started) };
    },
    async firehose({ channelId, pass }) {
      const frames = framesForPass(baseFrames, pass);
      return running().hub.firehose(frames, { count: frames.length, channelId });
    },
    trafficStart(opts) {
      running().traffic.start(opts);
      return null;
    },
    trafficPlay({ count, opts }) {
      void running().traffic.play(count, opts).catch(() => undefined);
      return null;
    },
    trafficStop() {
      running().traffic.stop();
      return null;
    },
    configureLimiter({ limit, windowMs }) {
      running().limiter.configure(limit, windowMs);
      return null;
    },
    counters() {
      const s = running();
      return {
        calls: s.calls.length,
        limited: s.limiter.limited,
        writes: s.org.writes.length,
        crmRequests: crm?.requests() ?? 0,
        trafficStarted: s.traffic.started,
        trafficConnected: s.traffic.connected,
      };
    },
    calls({ from }) {
      return running().calls.slice(from);
    },
  },
  async () => {
    await sandbox?.stop();
    await crm?.stop();
  },
);
