/**
 * The topic probe: the topics the daemon would subscribe to, tried on one temporary channel with
 * `ignoreErrors=true` (so a rejected topic is listed with its missing permissions instead of
 * failing the call), then removed again so the probe channel does not linger with topics.
 */
import type { RejectedTopic } from '../../genesys/client.js';
import { flowTopic, packTopics, queueTopics } from '../../stream/topics.js';
import type { Check, CheckState } from './check-state.js';
import { checkFailureText } from './check-permission.js';
import { failureText } from './failure-text.js';
import { result, type CheckResult } from './report.js';

/** The daemon's topic list for what resolved: one generic topic per queue, plus the flow's. */
export function probeTopics(state: Pick<CheckState, 'queues' | 'flowId' | 'config'>): string[] {
  return [
    ...state.queues.flatMap((q) => queueTopics(q.id, state.config.media, 'generic')),
    ...(state.flowId !== undefined ? [flowTopic(state.flowId)] : []),
  ];
}

/** One detail line per rejected topic: the topic, why, and the permissions it lacks. */
export function rejectionLines(rejected: readonly RejectedTopic[], names: ReadonlyMap<string, string>): string[] {
  return rejected.map((r) => {
    const queueId = /^v2\.routing\.queues\.([^.]+)\./.exec(r.topic)?.[1];
    const name = queueId !== undefined ? names.get(queueId) : undefined;
    const perms = r.missingPermissions.length > 0 ? `missing ${r.missingPermissions.join(', ')}` : 'no missing permission named';
    return `${r.topic}${name !== undefined ? ` ("${name}")` : ''}: ${perms}${r.reason !== undefined ? ` (${r.reason})` : ''}`;
  });
}

/** Subscribes the topics on a probe channel and reports every rejected one. */
export const checkTopics: Check = async (state) => {
  const { api } = state;
  if (api === undefined) return [result('topics', 'skip', 'not checked: no login')];
  let groups: string[][];
  try {
    groups = packTopics(probeTopics(state));
  } catch (err) {
    return [result('topics', 'fail', failureText(err))];
  }
  const count = groups.reduce((n, g) => n + g.length, 0);
  if (count === 0) return [result('topics', 'skip', 'not checked: no queue or flow resolved')];
  const partial = state.allQueuesResolved && state.flowResolved ? '' : ' (only what resolved)';
  let channelId: string | undefined;
  const rejected: RejectedTopic[] = [];
  const details: string[] = [];
  try {
    channelId = (await api.createChannel()).id;
    // One channel for the probe: each group replaces the previous one (PUT), as few channels as possible.
    for (const group of groups) rejected.push(...(await api.subscribe(channelId, group)).rejected);
  } catch (err) {
    return [result('topics', 'fail', `cannot probe the subscriptions: ${checkFailureText(err)}`), ...(await cleanUp(api, channelId))];
  }
  const cleanup = await cleanUp(api, channelId);
  const names = new Map(state.queues.flatMap((q) => (q.name !== undefined ? [[q.id, q.name] as const] : [])));
  details.push(...rejectionLines(rejected, names));
  if (rejected.length > 0) {
    return [result('topics', 'fail', `${rejected.length} of ${count} topics rejected${partial}`, details), ...cleanup];
  }
  return [result('topics', 'ok', `${count} topic${count === 1 ? '' : 's'} permitted on a probe channel${partial}`), ...cleanup];
};

async function cleanUp(api: NonNullable<CheckState['api']>, channelId: string | undefined): Promise<CheckResult[]> {
  if (channelId === undefined) return [];
  try {
    await api.unsubscribeAll(channelId);
    return [];
  } catch (err) {
    return [result('topics', 'warn', `the probe channel keeps its topics until it expires: ${failureText(err)}`)];
  }
}
