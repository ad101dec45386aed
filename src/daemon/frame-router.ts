/**
 * Sends each parsed frame where it belongs: conversation snapshots to the pipeline, flow
 * changes to the schema store, everything else to the counters. Malformed or unknown frames are
 * counted and logged (rate limited), never fatal.
 */
import type { Enricher } from '../enrich/pipeline.js';
import type { MediaType } from '../enrich/snapshot.js';
import type { Logger } from '../log.js';
import type { Frame, MediaTopic } from '../stream/frames.js';

const MEDIA_OF_TOPIC = {
  calls: 'call',
  chats: 'chat',
  messages: 'message',
  emails: 'email',
  callbacks: 'callback',
} as const satisfies Record<MediaTopic, MediaType>;

export interface FrameRouterDeps {
  readonly enricher: Pick<Enricher, 'offer'>;
  readonly onFlowEvent: (flowId: string, body: unknown) => void;
  /** Told the kind of every frame (the ops layer counts them). */
  readonly events?: { frame?(kind: Frame['kind']): void };
  readonly logger: Logger;
}

/** Builds the `onFrame` handler for every channel. */
export function createFrameRouter(deps: FrameRouterDeps): (frame: Frame) => void {
  let oddFrames = 0;
  return (frame) => {
    deps.events?.frame?.(frame.kind);
    switch (frame.kind) {
      case 'conversation':
        deps.enricher.offer(frame.body, frame.media === undefined ? undefined : MEDIA_OF_TOPIC[frame.media], 'live', frame.correlationId);
        return;
      case 'flow':
        deps.onFlowEvent(frame.flowId, frame.body);
        return;
      case 'malformed':
      case 'unknown':
        oddFrames++;
        // First one, then every thousandth: a misbehaving peer must not flood the log.
        if (oddFrames === 1 || oddFrames % 1000 === 0) {
          deps.logger.warn('unexpected frame ignored', { kind: frame.kind, detail: frame.kind === 'malformed' ? frame.reason : frame.topicName, count: oddFrames });
        }
        return;
      default:
        // heartbeat, pong and system frames are handled by the channel itself.
        return;
    }
  };
}
