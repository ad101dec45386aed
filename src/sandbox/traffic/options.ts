/**
 * Options of the traffic generator, typed once with their defaults defined once, and the pure
 * choices made per conversation (which media, which script, which queues).
 */
import { SANDBOX_MEDIA, type SandboxMedia } from '../org/conversation.js';
import { TrafficError } from './errors.js';
import { canPlay } from './scripts.js';
import type { ScriptKind } from './plan.js';
import type { Rng } from './random.js';

/** How traffic is generated. */
export interface TrafficOptions {
  /** New conversations per wall-clock second (Poisson arrivals). Not scaled by `speed`. */
  readonly ratePerSec: number;
  /** Queues conversations are routed to (default: every queue of the org). */
  readonly queueIds?: readonly string[];
  /** Media mix: each conversation picks one entry (repeat an entry to weight it). Default: a contact-centre mix. */
  readonly media?: readonly SandboxMedia[];
  /** Time scale: 1 = real durations (seconds to minutes), 50 = fifty times faster. */
  readonly speed?: number;
  /** Replays the same conversations (ids, customers, scripts, durations). Restarts the sequence. */
  readonly seed?: number;
  /** Share of conversations blind-transferred to another queue (needs two queues). */
  readonly transferShare?: number;
  /** Share of conversations whose first agent does not answer. */
  readonly requeueShare?: number;
  /** Share of conversations abandoned in queue (voice and messaging: some already in the IVR/bot). */
  readonly abandonShare?: number;
  /** Share of conversations from a customer seen before (CRM cache hits). */
  readonly repeatCustomerShare?: number;
  /**
   * A share of customers whose participant carries these attributes from the start, as web
   * messaging custom attributes would (e.g. a forged `crm.enricher.traceId` and `crm.tier: gold`).
   * The truth API flags their conversations `forgedMarker`.
   */
  readonly forgedMarkers?: ForgedMarkers;
}

/** Attributes a share of customers set themselves. */
export interface ForgedMarkers {
  readonly share: number;
  readonly attributes: Readonly<Record<string, string>>;
}

/** Options of a single deterministic conversation. */
export interface StartOneOptions extends Omit<Partial<TrafficOptions>, 'media'> {
  /** One media, or a mix to pick from. */
  readonly media?: readonly SandboxMedia[] | SandboxMedia;
  readonly queueId?: string;
  /** Second queue for the `transfer` script (default: another queue of the org). */
  readonly transferQueueId?: string;
  /** `tel:+49...` or an e-mail address for the customer participant. */
  readonly customerAddress?: string;
  readonly script?: ScriptKind;
  /** When the returned promise resolves (default `started`: after the first snapshot). */
  readonly until?: 'started' | 'queued' | 'connected' | 'ended';
}

/** The defaults, defined once. */
export const TRAFFIC_DEFAULTS = {
  speed: 1,
  transferShare: 0.1,
  requeueShare: 0.08,
  abandonShare: 0.12,
  repeatCustomerShare: 0.3,
  /** Share of abandons that already happen in the IVR or bot flow (voice and messaging only). */
  ivrAbandonShare: 0.4,
  /** Default media mix: mostly voice. */
  media: ['call', 'call', 'call', 'call', 'call', 'call', 'message', 'message', 'chat', 'email', 'callback'],
} as const satisfies {
  speed: number;
  transferShare: number;
  requeueShare: number;
  abandonShare: number;
  repeatCustomerShare: number;
  ivrAbandonShare: number;
  media: readonly SandboxMedia[];
};

/** Options with every default filled in and checked. */
export interface ResolvedTraffic {
  readonly ratePerSec: number;
  readonly queueIds: readonly string[];
  readonly media: readonly SandboxMedia[];
  readonly speed: number;
  readonly seed: number | undefined;
  readonly transferShare: number;
  readonly requeueShare: number;
  readonly abandonShare: number;
  readonly repeatCustomerShare: number;
  readonly forgedMarkers: ForgedMarkers | undefined;
}

function invalid(message: string): TrafficError {
  return new TrafficError('traffic.invalid-options', message);
}

function share(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0 || value > 1) throw invalid(`${name} must be between 0 and 1.`);
  return value;
}

/** Fills in defaults and rejects nonsense (unknown queues or media, negative rates, shares above 1). */
export function resolveTraffic(opts: Partial<TrafficOptions>, orgQueueIds: readonly string[]): ResolvedTraffic {
  const ratePerSec = opts.ratePerSec ?? 1;
  if (!Number.isFinite(ratePerSec) || ratePerSec <= 0) throw invalid('ratePerSec must be a positive number.');
  const speed = opts.speed ?? TRAFFIC_DEFAULTS.speed;
  if (!Number.isFinite(speed) || speed <= 0) throw invalid('speed must be a positive number.');
  const queueIds = opts.queueIds ?? orgQueueIds;
  if (queueIds.length === 0) throw invalid('traffic needs at least one queue.');
  for (const id of queueIds) if (!orgQueueIds.includes(id)) throw invalid(`queue ${id} does not exist in the sandbox org.`);
  const media = opts.media ?? TRAFFIC_DEFAULTS.media;
  if (media.length === 0) throw invalid('media must name at least one media type.');
  for (const m of media) if (!SANDBOX_MEDIA.includes(m)) throw invalid(`unknown media '${m}'.`);
  const transferShare = share('transferShare', opts.transferShare ?? TRAFFIC_DEFAULTS.transferShare);
  const requeueShare = share('requeueShare', opts.requeueShare ?? TRAFFIC_DEFAULTS.requeueShare);
  const abandonShare = share('abandonShare', opts.abandonShare ?? TRAFFIC_DEFAULTS.abandonShare);
  if (transferShare + requeueShare + abandonShare > 1) throw invalid('transferShare + requeueShare + abandonShare must not exceed 1.');
  const repeatCustomerShare = share('repeatCustomerShare', opts.repeatCustomerShare ?? TRAFFIC_DEFAULTS.repeatCustomerShare);
  const forgedMarkers = opts.forgedMarkers === undefined ? undefined : checkForged(opts.forgedMarkers);
  return { ratePerSec, queueIds, media, speed, seed: opts.seed, transferShare, requeueShare, abandonShare, repeatCustomerShare, forgedMarkers };
}

function checkForged(f: ForgedMarkers): ForgedMarkers {
  share('forgedMarkers.share', f.share);
  const attributes: unknown = f.attributes;
  if (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes)) throw invalid('forgedMarkers.attributes must be an object.');
  for (const [k, v] of Object.entries(attributes)) if (typeof v !== 'string') throw invalid(`forgedMarkers.attributes.${k} must be a string.`);
  return f;
}

/**
 * The script for a draw `u` in [0, 1): abandon, transfer, requeue by their shares, else connect.
 * A transfer with a single queue becomes a connect; abandons of voice and messaging happen in
 * the IVR or bot for a share of them (`v` in [0, 1) decides).
 */
export function chooseScript(
  u: number,
  v: number,
  media: SandboxMedia,
  shares: Pick<ResolvedTraffic, 'transferShare' | 'requeueShare' | 'abandonShare'>,
  queueCount: number,
): ScriptKind {
  if (u < shares.abandonShare) {
    const entryAbandon = (media === 'call' || media === 'message') && v < TRAFFIC_DEFAULTS.ivrAbandonShare;
    return entryAbandon ? 'ivr-abandon' : 'abandon';
  }
  if (u < shares.abandonShare + shares.transferShare) return queueCount > 1 ? 'transfer' : 'connect';
  if (u < shares.abandonShare + shares.transferShare + shares.requeueShare) return 'requeue';
  return 'connect';
}

/** Draws the media, script and queues of the next conversation. */
export function chooseConversation(
  rng: Rng,
  t: ResolvedTraffic,
): { media: SandboxMedia; script: ScriptKind; queueId: string; transferQueueId: string | undefined } {
  const media = rng.pick(t.media);
  const script = chooseScript(rng.next(), rng.next(), media, t, t.queueIds.length);
  const queueId = rng.pick(t.queueIds);
  const others = t.queueIds.filter((q) => q !== queueId);
  const transferQueueId = others.length > 0 ? rng.pick(others) : undefined;
  return { media, script: canPlay(media, script, queueId, transferQueueId) ? script : 'connect', queueId, transferQueueId };
}
