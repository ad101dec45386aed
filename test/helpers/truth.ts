/**
 * What the sandbox says happened: its truth API (one entry per conversation it played) and its
 * record of applied writes, as the judge reads them.
 */
import type { Sandbox } from '../../src/sandbox/index.js';

export type { ConversationTruth, TruthIdentifier } from '../../src/sandbox/org/truth.js';

/** One applied PATCH as the sandbox recorded it. */
export interface WriteFact {
  readonly conversationId: string;
  readonly participantId: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly at: number;
  /** An injected fault lost, delayed or failed the answer of this applied write. */
  readonly fault?: string;
}

/** The sandbox's applied writes as facts. */
export function writeFacts(sandbox: Sandbox): WriteFact[] {
  return sandbox.org.writes.map((w) => {
    const fault = (w as { answerFault?: { effect: string; status?: number } }).answerFault;
    return {
      conversationId: w.conversationId,
      participantId: w.participantId,
      attributes: w.attributes,
      at: w.at,
      ...(fault !== undefined && { fault: fault.status === undefined ? fault.effect : `${fault.effect}/${String(fault.status)}` }),
    };
  });
}
