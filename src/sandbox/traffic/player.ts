/**
 * Plays conversation plans through the org: applies each step at its time, publishes the full
 * snapshot after every change, and settles the conversation after its last step. Keeps the
 * counters and the promises waiting for a conversation to reach a milestone.
 */
import type { Logger } from '../../log.js';
import type { SandboxConversation } from '../org/conversation.js';
import type { SandboxQueue } from '../options.js';
import type { ConversationPlan, ScriptKind, StepLabel } from './plan.js';
import type { Scheduler } from './scheduler.js';

/** The part of `SandboxOrg` the traffic generator uses (a fake one will do in tests). */
export interface TrafficOrg {
  readonly queues: readonly SandboxQueue[];
  readonly conversations: { has(id: string): boolean };
  add(conv: SandboxConversation): void;
  publishConversation(conv: SandboxConversation): void;
  settle(conv: SandboxConversation, now?: number): void;
}

/** What happened to a conversation; `step` events come after the snapshot was published. */
export interface TrafficEvent {
  readonly type: 'started' | 'step' | 'ended';
  readonly conversation: SandboxConversation;
  readonly script: ScriptKind;
  /** The step just played (`end` or `abandon` for `ended`). */
  readonly step: StepLabel;
}

/** A point in a conversation's life a caller can wait for. */
export type Milestone = 'started' | 'queued' | 'connected' | 'ended';

interface Waiter {
  readonly until: Milestone;
  readonly resolve: (conv: SandboxConversation) => void;
}

interface Run {
  readonly plan: ConversationPlan;
  readonly speed: number;
  readonly waiters: Waiter[];
  readonly onEnd: (() => void) | undefined;
  index: number;
  timer: number | undefined;
  connected: boolean;
}

export class ConversationPlayer {
  started = 0;
  ended = 0;
  connected = 0;
  onEvent: ((event: TrafficEvent) => void) | undefined;
  private readonly runs = new Map<string, Run>();

  constructor(
    private readonly org: TrafficOrg,
    private readonly scheduler: Scheduler,
    private readonly now: () => number,
    private readonly logger: Logger,
  ) {}

  /** Conversations in flight. */
  get active(): number {
    return this.runs.size;
  }

  /** Whether a conversation id is taken (in flight or known to the org). */
  taken(id: string): boolean {
    return this.runs.has(id) || this.org.conversations.has(id);
  }

  /** Plays the first step now and the rest on the scheduler, `speed` times faster than real. */
  launch(plan: ConversationPlan, speed: number, onEnd?: () => void): void {
    const run: Run = { plan, speed, waiters: [], onEnd, index: 0, timer: undefined, connected: false };
    this.runs.set(plan.conversation.id, run);
    this.advance(run);
  }

  /** Resolves with the conversation once it reaches `until` (or ends, or the generator stops). */
  waitFor(conversationId: string, until: Milestone): Promise<SandboxConversation> | undefined {
    const run = this.runs.get(conversationId);
    if (!run) return undefined;
    if (reached(run, until)) return Promise.resolve(run.plan.conversation);
    return new Promise((resolve) => run.waiters.push({ until, resolve }));
  }

  /** Plays the next step of one conversation now (step-by-step tests); false when it is not in flight. */
  step(conversationId: string): boolean {
    const run = this.runs.get(conversationId);
    if (run?.timer === undefined) return false;
    return this.scheduler.runNow(run.timer);
  }

  /** Forgets every conversation where it stands; waiting callers get it in its current state. */
  stopAll(): void {
    const runs = [...this.runs.values()];
    this.runs.clear();
    for (const run of runs) {
      this.scheduler.cancel(run.timer);
      for (const w of run.waiters.splice(0)) w.resolve(run.plan.conversation);
    }
  }

  private advance(run: Run): void {
    run.timer = undefined;
    const { plan } = run;
    const conv = plan.conversation;
    const step = plan.steps[run.index];
    if (step === undefined) return;
    const nowMs = this.now();
    try {
      step.apply(conv, new Date(nowMs).toISOString());
    } catch (err) {
      this.abort(run, err);
      return;
    }
    run.index++;
    if (run.index === 1) {
      conv.startedAt = nowMs;
      this.org.add(conv);
      this.started++;
      this.logger.debug('conversation started', { conversationId: conv.id, media: plan.media, script: plan.script });
    }
    this.publish(conv);
    if (!run.connected && conv.participants.some((p) => p.purpose === 'agent' && p.leg.state === 'connected')) {
      run.connected = true;
      this.connected++;
    }
    if (run.index === 1) this.emit({ type: 'started', conversation: conv, script: plan.script, step: step.label });
    this.emit({ type: 'step', conversation: conv, script: plan.script, step: step.label });
    const next = plan.steps[run.index];
    if (next === undefined) {
      this.end(run, step.label, nowMs);
      return;
    }
    this.release(run);
    run.timer = this.scheduler.after(next.delayMs / run.speed, () => {
      this.advance(run);
    });
  }

  private end(run: Run, last: StepLabel, nowMs: number): void {
    const conv = run.plan.conversation;
    this.org.settle(conv, nowMs);
    this.runs.delete(conv.id);
    this.ended++;
    this.logger.debug('conversation ended', { conversationId: conv.id, script: run.plan.script });
    this.emit({ type: 'ended', conversation: conv, script: run.plan.script, step: last });
    for (const w of run.waiters.splice(0)) w.resolve(conv);
    run.onEnd?.();
  }

  /** A script bug: the conversation stays where it is and nobody waits for it forever. */
  private abort(run: Run, err: unknown): void {
    const conv = run.plan.conversation;
    this.runs.delete(conv.id);
    this.logger.error('a sandbox conversation script failed', { conversationId: conv.id, error: errorName(err) });
    for (const w of run.waiters.splice(0)) w.resolve(conv);
    run.onEnd?.();
  }

  /** Resolves the waiters whose milestone has been reached. */
  private release(run: Run): void {
    for (let i = run.waiters.length - 1; i >= 0; i--) {
      const w = run.waiters[i];
      if (w !== undefined && reached(run, w.until)) {
        run.waiters.splice(i, 1);
        w.resolve(run.plan.conversation);
      }
    }
  }

  private publish(conv: SandboxConversation): void {
    try {
      this.org.publishConversation(conv);
    } catch (err) {
      // A failing subscriber must not stall the traffic; the next step publishes again.
      this.logger.warn('publishing a sandbox conversation failed', { conversationId: conv.id, error: errorName(err) });
    }
  }

  private emit(event: TrafficEvent): void {
    try {
      this.onEvent?.(event);
    } catch (err) {
      this.logger.warn('traffic onEvent hook threw', { conversationId: event.conversation.id, error: errorName(err) });
    }
  }
}

function reached(run: Run, until: Milestone): boolean {
  switch (until) {
    case 'started':
      return run.index >= 1;
    case 'queued':
      return run.plan.conversation.queueIds.length > 0;
    case 'connected':
      return run.connected;
    case 'ended':
      return false;
  }
}

function errorName(err: unknown): string {
  return err instanceof Error ? err.name : typeof err;
}
