/** The `check` steps in order, and the loop that runs them and always cleans up. */
import { checkCatchUpCalls, checkTopicPermissions } from './check-access.js';
import { checkCluster } from './check-cluster.js';
import { checkCrm } from './check-crm.js';
import type { Check, CheckState } from './check-state.js';
import { checkTopics } from './check-topics.js';
import { checkAttributeMap, checkConfig, checkFlow, checkLogin, checkQueues } from './checks-org.js';
import { failureText } from './failure-text.js';
import { result, type CheckResult } from './report.js';

/** A named step (the name labels an unexpected failure). */
export interface NamedCheck {
  readonly name: string;
  readonly run: Check;
}

/** Every step, in the order later ones depend on earlier ones. */
export const CHECKS: readonly NamedCheck[] = [
  { name: 'config', run: checkConfig },
  { name: 'login', run: checkLogin },
  { name: 'queues', run: checkQueues },
  { name: 'flow', run: checkFlow },
  { name: 'attributes', run: checkAttributeMap },
  { name: 'topics', run: checkTopics },
  { name: 'topic perms', run: checkTopicPermissions },
  { name: 'permission', run: checkCatchUpCalls },
  { name: 'crm', run: checkCrm },
  { name: 'cluster', run: checkCluster },
];

/**
 * Runs every step, handing each line to `onResult` as soon as it is known (a slow CRM does not
 * hide what came before), and closes the Genesys client at the end whatever happened.
 */
export async function runChecks(state: CheckState, onResult: (r: CheckResult) => void, checks: readonly NamedCheck[] = CHECKS): Promise<CheckResult[]> {
  const all: CheckResult[] = [];
  try {
    for (const check of checks) {
      let lines: CheckResult[];
      try {
        lines = await check.run(state);
      } catch (err) {
        lines = [result(check.name, 'fail', `unexpected: ${failureText(err)}`)];
      }
      for (const line of lines) {
        all.push(line);
        onResult(line);
      }
    }
  } finally {
    await state.api?.close().catch(() => undefined);
  }
  return all;
}
