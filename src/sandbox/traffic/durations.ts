/**
 * Real-world durations (ms, as `[min, max]`) of each phase per media. The generator divides them by
 * its `speed`. Voice is minutes, messaging is longer and email longest, like a real contact centre.
 */
import type { SandboxMedia } from '../org/conversation.js';

/** A `[min, max]` range in milliseconds. */
export type RangeMs = readonly [number, number];

export interface MediaDurations {
  /** In the IVR or inbound flow before reaching the queue. */
  readonly entryMs: RangeMs;
  /** Waiting in queue until an agent is offered the interaction. */
  readonly queueMs: RangeMs;
  /** Alerting until the agent answers. */
  readonly alertMs: RangeMs;
  /** Alerting until ACD gives up on an agent who does not answer (a requeue). */
  readonly noAnswerMs: RangeMs;
  /** Talking or handling, once per agent. */
  readonly handleMs: RangeMs;
  /** How long a customer waits before giving up (abandon). */
  readonly patienceMs: RangeMs;
}

const S = 1_000;

export const DURATIONS = {
  call: {
    entryMs: [4 * S, 25 * S],
    queueMs: [3 * S, 90 * S],
    alertMs: [2 * S, 8 * S],
    noAnswerMs: [12 * S, 15 * S],
    handleMs: [30 * S, 420 * S],
    patienceMs: [5 * S, 120 * S],
  },
  chat: {
    entryMs: [1 * S, 3 * S],
    queueMs: [5 * S, 60 * S],
    alertMs: [2 * S, 6 * S],
    noAnswerMs: [15 * S, 20 * S],
    handleMs: [60 * S, 600 * S],
    patienceMs: [20 * S, 180 * S],
  },
  message: {
    entryMs: [5 * S, 30 * S],
    queueMs: [10 * S, 120 * S],
    alertMs: [2 * S, 6 * S],
    noAnswerMs: [15 * S, 20 * S],
    handleMs: [120 * S, 900 * S],
    patienceMs: [60 * S, 600 * S],
  },
  email: {
    entryMs: [1 * S, 5 * S],
    queueMs: [30 * S, 600 * S],
    alertMs: [5 * S, 20 * S],
    noAnswerMs: [30 * S, 45 * S],
    handleMs: [60 * S, 300 * S],
    patienceMs: [300 * S, 900 * S],
  },
  callback: {
    entryMs: [200, 1 * S],
    queueMs: [10 * S, 300 * S],
    alertMs: [2 * S, 8 * S],
    noAnswerMs: [12 * S, 15 * S],
    handleMs: [60 * S, 300 * S],
    patienceMs: [60 * S, 600 * S],
  },
} as const satisfies Record<SandboxMedia, MediaDurations>;

/** The longest a single conversation can take (every phase at its maximum, with one transfer or requeue). */
export function longestConversationMs(media: SandboxMedia): number {
  const d: MediaDurations = DURATIONS[media];
  // entry + queue + noAnswer + re-route pause + alert + handle, then a second queue + alert + handle.
  return d.entryMs[1] + 2 * d.queueMs[1] + d.noAnswerMs[1] + REROUTE_MS[1] + 2 * d.alertMs[1] + 2 * d.handleMs[1];
}

/** ACD's pause between an agent's no-answer and the next offer. */
export const REROUTE_MS: RangeMs = [500, 3 * S];
