/** Reads the daemon's live state into gauges (before a scrape) and into the readiness input. */
import type { Daemon } from '../daemon.js';
import type { ReadinessInput } from '../ops/readiness.js';

/** Updates the gauges that are cheaper to read on demand than to keep current. */
export function observeMetrics(daemon: Daemon): void {
  const m = daemon.metrics;
  const now = Date.now();
  m.limiterQueued.set(daemon.genesys.queued());
  for (const p of daemon.genesys.pauses()) m.genesysPaused.set({ family: p.family }, p.remainingMs > 0 ? 1 : 0);
  m.workQueueDepth.set(daemon.enricher.depth);
  m.channels.reset();
  m.heartbeatAge.reset();
  for (const c of daemon.channelStats()) {
    m.channels.inc({ state: c.state });
    if (c.lastFrameAt > 0) m.heartbeatAge.set({ channel: c.channelId ?? 'none' }, (now - c.lastFrameAt) / 1000);
  }
  const crm = daemon.crm.stats();
  m.crmBreakerOpen.set(crm.breaker === 'open' ? 1 : 0);
  const lookups = crm.hit + crm.miss + crm.stale;
  m.crmCacheHitRatio.set(lookups === 0 ? 0 : crm.hit / lookups);
}

/** What readiness looks at. */
export function readinessInput(daemon: Daemon): ReadinessInput {
  const audit = daemon.auditHealth();
  return {
    // A socket that has just opened counts as heard from: silence is measured from the later of
    // its last frame and its opening, so readiness comes back with the reconnect itself.
    channels: daemon.channelStats().map((c) => ({ key: c.channelId ?? 'none', state: c.state, lastFrameAt: c.state === 'open' ? Math.max(c.lastFrameAt, c.stateSince) : c.lastFrameAt })),
    schemaVersion: daemon.schemas.current()?.versionId,
    tokenExpiresAt: daemon.genesys.tokens.expiry,
    genesysPauses: daemon.genesys.pauses(),
    deniedCalls: daemon.genesys.deniedCalls(),
    ...(audit !== undefined && { audit }),
  };
}
