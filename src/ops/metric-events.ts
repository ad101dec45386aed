/**
 * Where component events become metrics. The pipeline, the catch-up, the frame router, the
 * Genesys caller and the channels report what happens through small event interfaces of their
 * own; only this module (with metrics.ts, and the composition root that wires them) knows that
 * those events are counted with prom-client.
 */
import type { ChannelEvents } from '../stream/channel.js';
import type { CrmDeps } from '../crm/client.js';
import type { BackfillDeps } from '../enrich/backfill.js';
import type { EnricherEvents } from '../enrich/pipeline.js';
import type { FrameRouterDeps } from '../daemon/frame-router.js';
import type { CallObserver } from '../genesys/caller.js';
import type { Metrics } from './metrics.js';

/** The pipeline's events as counters and the latency histogram. */
export function enricherMetrics(m: Metrics): EnricherEvents {
  return {
    seen: (source) => {
      m.conversationsSeen.inc({ source });
    },
    rejected: () => {
      m.workQueueRejected.inc();
    },
    crmLookup: (outcome) => {
      m.crmLookups.inc({ outcome });
    },
    decided: (line, sinceArrivalMs) => {
      if (line.event === 'enriched') {
        m.pipelineLatency.observe({ stage: 'total' }, sinceArrivalMs / 1000);
        if (line.latencyMs.crm !== undefined) m.pipelineLatency.observe({ stage: 'crm' }, line.latencyMs.crm / 1000);
        if (line.latencyMs.write !== undefined) m.pipelineLatency.observe({ stage: 'write' }, line.latencyMs.write / 1000);
      }
      m.decisions.inc({ event: line.event, reason: line.reason ?? 'ok' });
    },
  };
}

/** Conversations the catch-up fetched. */
export function backfillMetrics(m: Metrics): NonNullable<BackfillDeps['events']> {
  return { fetched: () => { m.backfilled.inc(); } };
}

/** Frames by kind. */
export function frameMetrics(m: Metrics): NonNullable<FrameRouterDeps['events']> {
  return { frame: (kind) => { m.frames.inc({ kind }); } };
}

/** Genesys attempts by endpoint and status, and 403s by call. */
export function callMetrics(m: Metrics): CallObserver {
  return {
    onAttempt: (endpoint, outcome) => {
      m.genesysCalls.inc({ endpoint, status: String(outcome) });
    },
    onPermissionDenied: (call) => {
      m.permissionDenied.inc({ call });
    },
  };
}

/** Reconnects (a move to `backoff`) and rotations (to `rotating`) by reason. */
export function channelStateMetrics(m: Metrics): NonNullable<ChannelEvents['onStateChange']> {
  return (_from, to, reason) => {
    if (to === 'backoff' || to === 'rotating') m.reconnects.inc({ reason });
  };
}

/** CRM calls by result and failure reason (`ok` for an answer). */
export function crmCallMetrics(m: Metrics): NonNullable<CrmDeps['onCall']> {
  return (result, failure) => {
    m.crmCalls.inc({ result, reason: failure ?? 'ok' });
  };
}
