/** Reads the daemon's live state into gauges (before a scrape) and into the readiness input. */
import type { Daemon } from '../daemon.js';
import { CHANNEL_STATES } from '../ops/metric-labels.js';
import type { ReadinessInput } from '../ops/readiness.js';

/** Updates the gauges that are cheaper to read on demand than to keep current. */
export function observeMetrics(daemon: Daemon): void {
  const m = daemon.metrics;
  m.ready.set(daemon.readiness().ready ? 1 : 0);
  m.tokenExpiry.set(daemon.genesys.tokens.expiry / 1000);
  m.limiterQueued.set(daemon.genesys.queued());
  for (const p of daemon.genesys.pauses()) m.genesysPaused.set({ family: p.family }, p.remainingMs > 0 ? 1 : 0);
  m.workQueueDepth.set(daemon.enricher.depth);
  const stats = daemon.channelStats();
  // Every state keeps its series (0 when no channel is in it), so `channels{state="open"} == 0` can alert.
  for (const state of CHANNEL_STATES) m.channels.set({ state }, stats.filter((c) => c.state === state).length);
  // One series per slot (the channel's place in the set), not per channel id: a reconnect gets a
  // new id but keeps its slot, so the series lives on instead of a new one being made.
  m.lastFrame.reset();
  for (const [slot, c] of stats.entries()) if (c.lastFrameAt > 0) m.lastFrame.set({ slot: String(slot) }, c.lastFrameAt / 1000);
  m.crmBreakerOpen.set(daemon.crm.stats().breaker === 'open' ? 1 : 0);
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
