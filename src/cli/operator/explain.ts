/**
 * Why `detect` decided what it did, in words for `inspect` (pure). The reasons are the ones
 * src/enrich/detect.ts documents; an unknown one is printed as it is.
 */
import type { Detection, DetectOptions } from '../../enrich/detect.js';

const WAIT: Readonly<Record<string, string>> = {
  'in-ivr': 'the conversation is still in the IVR or bot flow: no acd or agent participant in a watched queue yet',
  'queue-not-configured': 'it is routed only to queues this config does not watch',
  'not-routed': 'no acd or agent participant at all (an outbound or direct interaction): not a queue conversation',
  'in-queue': 'the customer is waiting in a watched queue; with trigger agent-connected it is enriched when an agent connects',
  'agent-alerting': 'an agent is being offered the interaction (alerting); it is enriched when the agent answers',
  'no-agent-connected': 'no agent in a watched queue is connected (any more)',
  'left-watched-queue': 'with trigger queued: nobody is live in a watched queue any more',
  'agent-not-assigned': 'with target agent: no agent has been assigned yet',
};

const SKIP: Readonly<Record<string, string>> = {
  'already-enriched': 'the target participant already carries the marker attribute {marker}: it was enriched before (a write would be a second one)',
  'conversation-ended': 'the customer has left: the conversation is over',
  'no-customer': 'no participant with purpose customer or external: there is nobody to look up',
  'media-not-configured': 'its media type is not among the watched media (config key media)',
};

/** The one-line verdict and the sentence that explains it. */
export function explainDetection(
  d: Detection,
  opts: Pick<DetectOptions, 'trigger' | 'markerKey'>,
  queueLabel: (queueId: string) => string = (id) => id,
): { verdict: string; why: string } {
  switch (d.kind) {
    case 'enrich': {
      const queue = queueLabel(d.queueId);
      const why =
        opts.trigger === 'agent-connected'
          ? `an agent is connected in watched queue ${queue} (trigger agent-connected)`
          : `it is live in watched queue ${queue} (trigger queued)`;
      return { verdict: `enrich now (${d.media})`, why };
    }
    case 'wait':
      return { verdict: `wait: ${d.reason} (not enriched yet, nothing audited)`, why: WAIT[d.reason] ?? d.reason };
    case 'skip':
      return { verdict: `skip: ${d.reason} (the daemon would audit it and not write)`, why: (SKIP[d.reason] ?? d.reason).replace('{marker}', opts.markerKey) };
  }
}
