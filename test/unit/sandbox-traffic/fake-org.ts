/** A stand-in for SandboxOrg that records every published snapshot, built with the real payload builders. */
import type { Models } from 'purecloud-platform-client-v2';
import { isTerminal, type SandboxConversation } from '../../../src/sandbox/org/conversation.js';
import { genericSnapshot, mediaSnapshot, type MediaSnapshot } from '../../../src/sandbox/org/snapshots.js';
import type { SandboxQueue } from '../../../src/sandbox/options.js';
import type { TrafficOrg } from '../../../src/sandbox/traffic/generator.js';

export const QUEUES: readonly SandboxQueue[] = [
  { id: '11111111-1111-4111-8111-111111111111', name: 'Support' },
  { id: '22222222-2222-4222-8222-222222222222', name: 'Sales' },
];

/** One publish: both bodies, and the queues the org would have sent them to. */
export interface Published {
  readonly conversationId: string;
  readonly queueIds: string[];
  readonly generic: Models.QueueConversationEventTopicConversation;
  readonly media: MediaSnapshot;
}

export class FakeOrg implements TrafficOrg {
  readonly conversations = new Map<string, SandboxConversation>();
  readonly published: Published[] = [];
  readonly settled: string[] = [];

  constructor(readonly queues: readonly SandboxQueue[] = QUEUES) {}

  add(conv: SandboxConversation): void {
    this.conversations.set(conv.id, conv);
  }

  publishConversation(conv: SandboxConversation): void {
    // Serialise now: the conversation keeps changing after this call.
    this.published.push(
      structuredClone({ conversationId: conv.id, queueIds: [...conv.queueIds], generic: genericSnapshot(conv), media: mediaSnapshot(conv) }),
    );
  }

  settle(conv: SandboxConversation, now = Date.now()): void {
    if (conv.participants.every((p) => isTerminal(p.leg.state))) {
      conv.endedAt = now;
      this.settled.push(conv.id);
    }
  }

  of(conversationId: string): Published[] {
    return this.published.filter((p) => p.conversationId === conversationId);
  }
}
