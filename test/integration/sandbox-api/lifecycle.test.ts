// A conversation's whole lifecycle as a client sees it on a queue's topics: the generic feed
// (state on the media entries) and the media-specific feed (state on the participant).
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../helpers/wait-for.js';
import type { Sandbox } from '../../../src/sandbox/index.js';
import { MEDIA_KEY, type SandboxMedia } from '../../../src/sandbox/org/conversation.js';
import { framesOf, login, queueTopic, start, subscribedSocket, type SeenFrame, type TestSocket } from './harness.js';

let sandbox: Sandbox | undefined;
const sockets: TestSocket[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.ws.terminate();
  await sandbox?.stop();
  sandbox = undefined;
});

/** Fast enough that a whole conversation plays in well under a second, slow enough to keep steps apart. */
const SPEED = 5_000;

interface Participant {
  readonly id: string;
  readonly purpose: string;
  readonly queueId?: string;
  readonly queue?: { id: string };
  readonly userId?: string;
  readonly state?: string;
  readonly attributes?: Record<string, string>;
  readonly [media: string]: unknown;
}

function participants(frame: SeenFrame): Participant[] {
  return frame.eventBody.participants as Participant[];
}

/** State of a participant in the generic feed: on its (single) media entry. */
function genericState(p: Participant, media: SandboxMedia): string | undefined {
  const legs = p[MEDIA_KEY[media]] as { state?: string }[] | undefined;
  return legs?.[0]?.state;
}

/**
 * The phase a snapshot shows, from the routed participants' states:
 * waiting (acd connected, no agent yet), alerting, connected, ended (everyone disconnected).
 */
function phase(states: { purpose: string; state: string | undefined }[]): string {
  const agents = states.filter((s) => s.purpose === 'agent');
  const acd = states.filter((s) => s.purpose === 'acd');
  const ended = (s: { state: string | undefined }): boolean => s.state === 'disconnected' || s.state === 'terminated';
  if (states.every(ended)) return 'ended';
  if (agents.some((a) => a.state === 'connected')) return 'agent connected';
  if (agents.some((a) => a.state === 'alerting')) return 'agent alerting';
  if (acd.some((a) => a.state === 'connected')) return 'acd waiting';
  // After-call work: every agent gone, nobody waiting in a queue, the customer still connected.
  if (agents.length > 0 && agents.every(ended) && states.some((s) => s.purpose === 'customer' && s.state === 'connected')) return 'after-call work';
  return 'other';
}

/** Consecutive duplicates removed: snapshots repeat (hold, recording, attributes). */
function squeeze(list: string[]): string[] {
  return list.filter((x, i) => i === 0 || list[i - 1] !== x);
}

function genericPhases(frames: SeenFrame[], media: SandboxMedia): string[] {
  return squeeze(frames.map((f) => phase(participants(f).map((p) => ({ purpose: p.purpose, state: genericState(p, media) })))));
}

function specificPhases(frames: SeenFrame[]): string[] {
  return squeeze(frames.map((f) => phase(participants(f).map((p) => ({ purpose: p.purpose, state: p.state })))));
}

async function watch(sb: Sandbox, queueIds: readonly string[], media: SandboxMedia): Promise<TestSocket> {
  const api = await login(sb.port);
  const topics = queueIds.flatMap((q) => [queueTopic(q), queueTopic(q, MEDIA_KEY[media])]);
  const socket = await subscribedSocket(api, topics);
  sockets.push(socket);
  return socket;
}

/** Waits until both feeds of `queueId` carry the conversation's final (ended) snapshot. */
async function endedFrames(socket: TestSocket, queueId: string, conversationId: string, media: SandboxMedia): Promise<{ generic: SeenFrame[]; specific: SeenFrame[] }> {
  return waitFor(
    () => {
      const generic = framesOf(socket, queueTopic(queueId), conversationId);
      const specific = framesOf(socket, queueTopic(queueId, MEDIA_KEY[media]), conversationId);
      const done = genericPhases(generic, media).at(-1) === 'ended' && specificPhases(specific).at(-1) === 'ended';
      return done ? { generic, specific } : undefined;
    },
    { what: `the ended snapshot of ${conversationId} on ${queueId}` },
  );
}

describe.each(['call', 'message'] as const)('a %s played with the connect script', (media) => {
  it('shows acd waiting, agent alerting, agent connected, ended on both feeds, in that order', async () => {
    sandbox = await start();
    const queueId = sandbox.options.queues[0]!.id;
    const socket = await watch(sandbox, [queueId], media);
    const conv = await sandbox.traffic.startOne({ media, script: 'connect', queueId, speed: SPEED, until: 'ended' });
    const { generic, specific } = await endedFrames(socket, queueId, conv.id, media);

    // Chats and messages may pass through after-call work (the agent leaves first) before they end.
    const lifecycle = ['acd waiting', 'agent alerting', 'agent connected', 'ended'];
    const acw = genericPhases(generic, media).includes('after-call work');
    const expected = acw ? [...lifecycle.slice(0, 3), 'after-call work', 'ended'] : lifecycle;
    if (acw) expect(['chat', 'message']).toContain(media);
    expect(genericPhases(generic, media)).toEqual(expected);
    expect(specificPhases(specific)).toEqual(expected);
    // One snapshot on each feed per published step.
    expect(specific).toHaveLength(generic.length);

    for (const frame of generic) {
      expect(frame.version).toBe('2');
      for (const p of participants(frame)) {
        // Generic feed: state on the media entry, none on the participant, queue as `queueId`.
        expect(p.state).toBeUndefined();
        expect(genericState(p, media)).toEqual(expect.any(String));
      }
    }
    for (const frame of specific) {
      for (const p of participants(frame)) {
        // Media-specific feed: state on the participant, no media lists, queue and user as references.
        expect(p.state).toEqual(expect.any(String));
        expect(p[MEDIA_KEY[media]]).toBeUndefined();
        expect(p.queueId).toBeUndefined();
      }
    }

    const last = participants(generic.at(-1)!);
    expect(last.map((p) => p.purpose)).toEqual(media === 'call' ? ['customer', 'ivr', 'acd', 'agent'] : ['customer', 'workflow', 'acd', 'agent']);
    expect(last.find((p) => p.purpose === 'acd')).toMatchObject({ queueId });
    expect(last.find((p) => p.purpose === 'agent')).toMatchObject({ queueId, userId: expect.any(String) });
    const lastSpecific = participants(specific.at(-1)!);
    expect(lastSpecific.find((p) => p.purpose === 'agent')).toMatchObject({ queue: { id: queueId }, user: { id: expect.any(String) } });
    // The first snapshot on the queue is the waiting one: the IVR/flow part never reached the queue's feed.
    expect(participants(generic[0]!).some((p) => p.purpose === 'agent')).toBe(false);
  });
});

describe('a transfer', () => {
  it('adds a second acd and agent participant, and the second queue\'s feed starts at the transfer', async () => {
    sandbox = await start();
    const [first, second] = sandbox.options.queues.map((q) => q.id);
    const socket = await watch(sandbox, [first!, second!], 'call');
    const conv = await sandbox.traffic.startOne({
      media: 'call',
      script: 'transfer',
      queueId: first!,
      transferQueueId: second!,
      speed: SPEED,
      until: 'ended',
    });
    const onFirst = await endedFrames(socket, first!, conv.id, 'call');
    const onSecond = await endedFrames(socket, second!, conv.id, 'call');

    // The first queue sees the whole conversation: waiting, alerting, connected, then the second
    // routing (the new acd waits while the first agent has left), then the end.
    expect(genericPhases(onFirst.generic, 'call')).toEqual([
      'acd waiting', 'agent alerting', 'agent connected', 'acd waiting', 'agent alerting', 'agent connected', 'ended',
    ]);
    // The second queue's feed starts with the transfer.
    expect(genericPhases(onSecond.generic, 'call')).toEqual(['acd waiting', 'agent alerting', 'agent connected', 'ended']);
    expect(onSecond.generic.length).toBeLessThan(onFirst.generic.length);

    const last = participants(onSecond.generic.at(-1)!);
    expect(last.map((p) => p.purpose)).toEqual(['customer', 'ivr', 'acd', 'agent', 'acd', 'agent']);
    const acds = last.filter((p) => p.purpose === 'acd');
    const agents = last.filter((p) => p.purpose === 'agent');
    expect(acds.map((p) => p.queueId)).toEqual([first, second]);
    expect(agents.map((p) => p.queueId)).toEqual([first, second]);
    expect(agents[0]!.userId).not.toBe(agents[1]!.userId);
    expect((agents[0]!.calls as { disconnectType?: string }[])[0]?.disconnectType).toBe('transfer');
    // Both queues' feeds carry the identical final snapshot.
    expect(onFirst.generic.at(-1)!.eventBody).toEqual(onSecond.generic.at(-1)!.eventBody);
  });
});
