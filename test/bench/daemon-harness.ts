/**
 * The daemon as the benchmarks run it in process: `Daemon.start` exactly as the CLI calls it,
 * plus measuring taps. `stubIo` replaces the two outgoing calls of an enrichment (the CRM lookup
 * and the PATCH) with answers that come at once, for the benchmarks that measure the stream path
 * alone (their costs are measured by the live benchmarks); everything else stays real.
 */
import type { EnricherConfig } from '../../src/config/index.js';
import type { CrmResult } from '../../src/crm/types.js';
import { Daemon, type DaemonDeps, type DaemonOverrides } from '../../src/daemon.js';
import type { Enricher } from '../../src/enrich/pipeline.js';
import { silentLogger } from '../../src/log.js';
import { customerRecord } from '../../src/sandbox/crm/records.js';
import type { AuditSink } from '../../src/sinks/audit.js';

/** An audit sink that keeps nothing (the file write is per conversation, not per frame). */
export const discardAudit: AuditSink = { write: () => undefined, close: () => Promise.resolve() };

/** A CRM answer as the cache gives it: one frozen record. */
const CACHED: CrmResult = Object.freeze({ outcome: 'hit', found: true, record: Object.freeze(customerRecord('tel:+4915100000001')), latencyMs: 0 });

/** Starts a daemon in this process; with `stubIo`, CRM and PATCH answer at once. */
export async function startDaemon(
  config: EnricherConfig,
  opts: { stubIo?: { crm: boolean; writer: boolean }; deps?: Partial<DaemonDeps>; overrides?: DaemonOverrides } = {},
): Promise<Daemon> {
  const daemon = await Daemon.start(config, { logger: silentLogger, ...opts.deps }, opts.overrides);
  if (opts.stubIo?.crm) daemon.crm.lookup = () => Promise.resolve(CACHED);
  if (opts.stubIo?.writer) daemon.genesys.patchParticipantAttributes = () => Promise.resolve({});
  return daemon;
}

/** The id of the daemon's (only) notification channel. */
export function channelIdOf(daemon: Daemon): string {
  const id = daemon.channelStats()[0]?.channelId;
  if (id === undefined) throw new Error('the daemon has no open channel');
  return id;
}

/**
 * Calls `tap` after every snapshot the frame router offers the pipeline, with the time it came
 * in (the pipeline's own `receivedAt`) and whether this snapshot claimed its conversation. The
 * router calls `enricher.offer` through the object, so replacing the method reaches it.
 */
export function tapOffers(enricher: Enricher, tap: (conversationId: string | undefined, receivedAt: number, claimed: boolean) => void): void {
  const offer = enricher.offer.bind(enricher);
  enricher.offer = (body, mediaHint, source, correlationId, receivedAt?: number) => {
    const at = receivedAt ?? performance.now();
    const raw = (body as { id?: unknown } | null)?.id;
    const id = typeof raw === 'string' ? raw : undefined;
    const before = id !== undefined && enricher.claims.settled(id);
    offer(body, mediaHint, source, correlationId, at);
    tap(id, at, id !== undefined && !before && enricher.claims.settled(id));
  };
}
