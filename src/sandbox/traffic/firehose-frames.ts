/**
 * Pre-serialised notification frames for the firehose benchmark: realistic full snapshots (about
 * 1 KB each) of many conversations playing their lifecycles, interleaved like live traffic, each
 * conversation's frames in lifecycle order, ready to be pushed down a socket as fast as it drains.
 */
import { MEDIA_KEY, type SandboxConversation, type SandboxMedia } from '../org/conversation.js';
import { genericSnapshot, mediaSnapshot } from '../org/snapshots.js';
import { TrafficError } from './errors.js';
import { chooseScript, TRAFFIC_DEFAULTS } from './options.js';
import { CustomerPool } from './people.js';
import { Rng } from './random.js';
import { buildPlan, canPlay } from './scripts.js';

/** Options of {@link buildFirehoseFrames}. */
export interface FirehoseFrameOptions {
  /** Queues the conversations are routed to (a transfer moves to a second one when there are two). */
  readonly queueIds: readonly string[];
  /** How many distinct conversation ids the frames are spread over. */
  readonly conversations: number;
  readonly seed?: number;
  /** Media mix (default: the generator's contact-centre mix). */
  readonly media?: readonly SandboxMedia[];
  /** The generic queue topic (default) or the media-specific one. */
  readonly topic?: 'generic' | 'media';
}

/** Fixed base time so a seed gives byte-identical frames. */
const EPOCH_MS = Date.UTC(2025, 0, 6, 9, 0, 0);

interface Captured {
  readonly frame: string;
  /** Lower ranks survive when a conversation gets fewer frames than its lifecycle has. */
  readonly rank: number;
}

function frameOf(rng: Rng, topicName: string, eventBody: unknown): string {
  return JSON.stringify({ topicName, version: '2', eventBody, metadata: { CorrelationId: rng.uuid() } });
}

/** One conversation's lifecycle as frames, ranked: first agent connected, first queued, last, the rest. */
function lifecycleFrames(rng: Rng, pool: CustomerPool, opts: FirehoseFrameOptions): Captured[] {
  const media = rng.pick(opts.media ?? TRAFFIC_DEFAULTS.media);
  const queueId = rng.pick(opts.queueIds);
  const others = opts.queueIds.filter((q) => q !== queueId);
  const transferQueueId = others.length > 0 ? rng.pick(others) : undefined;
  let script = chooseScript(rng.next(), rng.next(), media, TRAFFIC_DEFAULTS, opts.queueIds.length);
  if (!canPlay(media, script, queueId, transferQueueId)) script = 'connect';
  const plan = buildPlan({
    rng: rng.fork(),
    media,
    script,
    queueId,
    ...(transferQueueId !== undefined && { transferQueueId }),
    customer: pool.next(rng, TRAFFIC_DEFAULTS.repeatCustomerShare),
    queueName: (id) => `Queue ${id.slice(0, 8)}`,
  });
  const conv: SandboxConversation = plan.conversation;
  const out: Captured[] = [];
  let at = EPOCH_MS;
  let seenQueued = false;
  let seenConnected = false;
  for (const step of plan.steps) {
    at += step.delayMs;
    step.apply(conv, new Date(at).toISOString());
    if (conv.queueIds.length === 0) continue;
    const connected: boolean = !seenConnected && conv.participants.some((p) => p.purpose === 'agent' && p.leg.state === 'connected');
    const rank = connected ? 0 : !seenQueued ? 1 : 3;
    seenConnected ||= connected;
    seenQueued = true;
    const body = opts.topic === 'media' ? mediaSnapshot(conv) : genericSnapshot(conv);
    const suffix = opts.topic === 'media' ? `.${MEDIA_KEY[conv.media]}` : '';
    for (const q of conv.queueIds) out.push({ frame: frameOf(rng, `v2.routing.queues.${q}.conversations${suffix}`, body), rank });
  }
  const last = out[out.length - 1];
  if (last !== undefined && last.rank === 3) out[out.length - 1] = { ...last, rank: 2 };
  return out;
}

/**
 * Exactly `n` frames from a lifecycle, in order: cut to the highest-ranked ones, or padded with
 * repeats of the most important snapshot (Genesys repeats snapshots on every hold or mute).
 */
function fit(rng: Rng, frames: Captured[], n: number): string[] {
  if (frames.length === 0 || n <= 0) return [];
  if (frames.length >= n) {
    const keep = frames
      .map((f, i) => ({ f, i }))
      .sort((a, b) => a.f.rank - b.f.rank || a.i - b.i)
      .slice(0, n)
      .sort((a, b) => a.i - b.i);
    return keep.map((k) => k.f.frame);
  }
  const best = frames.reduce((b, f, i) => ((frames[b]?.rank ?? 9) <= f.rank ? b : i), 0);
  const out: string[] = [];
  frames.forEach((f, i) => {
    out.push(f.frame);
    if (i !== best) return;
    const parsed = JSON.parse(f.frame) as { metadata: { CorrelationId: string } };
    for (let k = 0; k < n - frames.length; k++) {
      parsed.metadata.CorrelationId = rng.uuid();
      out.push(JSON.stringify(parsed));
    }
  });
  return out;
}

/**
 * `count` full notification frames (`{"topicName","version":"2","eventBody","metadata":{"CorrelationId"}}`)
 * over `conversations` distinct conversation ids. Each conversation's frames keep lifecycle order;
 * conversations start staggered and overlap, as live traffic does. Deterministic for a seed.
 */
export function buildFirehoseFrames(count: number, opts: FirehoseFrameOptions): string[] {
  if (!Number.isInteger(count) || count < 0) throw new TrafficError('traffic.invalid-options', 'count must be a whole number >= 0.');
  if (!Number.isInteger(opts.conversations) || opts.conversations < 1) {
    throw new TrafficError('traffic.invalid-options', 'conversations must be a whole number >= 1.');
  }
  if (opts.queueIds.length === 0) throw new TrafficError('traffic.invalid-options', 'firehose frames need at least one queue.');
  const rng = new Rng(opts.seed ?? 1);
  const pool = new CustomerPool();
  const n = opts.conversations;
  const timed: { t: number; c: number; frame: string }[] = [];
  for (let c = 0; c < n; c++) {
    const share = Math.floor(count / n) + (c < count % n ? 1 : 0);
    let frames: Captured[] = [];
    // An IVR-only lifecycle never reaches a queue topic: draw again (bounded) for one that does.
    for (let tries = 0; tries < 10 && frames.length === 0 && share > 0; tries++) frames = lifecycleFrames(rng, pool, opts);
    const fitted = fit(rng, frames, share);
    // Conversation c starts at c/n and spreads its frames over one unit, so about half overlap.
    fitted.forEach((frame, j) => timed.push({ t: c / n + (fitted.length > 1 ? j / (fitted.length - 1) : 0), c, frame }));
  }
  timed.sort((a, b) => a.t - b.t || a.c - b.c);
  return timed.map((x) => x.frame);
}
