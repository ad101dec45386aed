/**
 * What a lifecycle script is: a conversation plus the ordered steps that change it, each with the
 * real-world pause before it. Plans are drawn completely up front from the conversation's own PRNG,
 * so a seed replays the same conversation however the timers interleave.
 */
import type { SandboxConversation, SandboxMedia } from '../org/conversation.js';
import type { Customer } from './people.js';

/** Which lifecycle a conversation follows. `ivr-abandon` ends in the IVR or bot flow, before any queue. */
export type ScriptKind = 'connect' | 'abandon' | 'ivr-abandon' | 'transfer' | 'requeue';
export const SCRIPT_KINDS: readonly ScriptKind[] = ['connect', 'abandon', 'ivr-abandon', 'transfer', 'requeue'];

/** What a step does (reported through the generator's `onEvent`, and what tests step through). */
export type StepLabel =
  | 'arrive'
  | 'queued'
  | 'agent-alerting'
  | 'agent-no-answer'
  | 'agent-connected'
  | 'dial'
  | 'after-call-work'
  | 'hold'
  | 'unhold'
  | 'recording-paused'
  | 'recording-resumed'
  | 'attributes'
  | 'transfer'
  | 'abandon'
  | 'end';

/** One change to the conversation; a full snapshot is published after each. */
export interface ScriptStep {
  /** Real-world pause before this step (the generator divides it by `speed`). */
  readonly delayMs: number;
  readonly label: StepLabel;
  /** Mutates the conversation; `at` is the ISO time of the change. */
  readonly apply: (conv: SandboxConversation, at: string) => void;
}

/** A conversation ready to play. */
export interface ConversationPlan {
  /** Starts with no participants; the first step (`arrive`, no delay) adds them. */
  readonly conversation: SandboxConversation;
  readonly media: SandboxMedia;
  readonly script: ScriptKind;
  readonly queueId: string;
  readonly customer: Customer;
  /** The address the customer participant carries. */
  readonly customerAddress: string;
  readonly steps: readonly ScriptStep[];
}

/** Collects steps; {@link wait} accumulates the pause that the next {@link step} carries. */
export class StepList {
  readonly steps: ScriptStep[] = [];
  private pendingMs = 0;

  wait(ms: number): this {
    this.pendingMs += ms;
    return this;
  }

  step(label: StepLabel, apply: ScriptStep['apply']): this {
    this.steps.push({ delayMs: Math.round(this.pendingMs), label, apply });
    this.pendingMs = 0;
    return this;
  }
}
