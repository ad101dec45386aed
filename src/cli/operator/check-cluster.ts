/**
 * The cluster probe of `check` (only with a `cluster` section): Redis reachable with the
 * configured credentials, and which instances of the cluster are alive. Never prints the URL's
 * password: hosts and ports only.
 */
import { listClusterInstances } from '../../cluster/cluster.js';
import type { InstanceView } from '../../cluster/heartbeat.js';
import { describeRedisTarget } from '../../cluster/options.js';
import type { Check } from './check-state.js';
import { failureText } from './failure-text.js';
import { result, type CheckResult } from './report.js';

/** The report line for the instances found (pure). */
export function describeInstances(where: string, instances: readonly InstanceView[]): CheckResult {
  const alive = instances.filter((i) => i.alive);
  const details = instances.map((i) => `${i.alive ? 'alive' : 'gone '} ${i.id} (host ${i.host}, pid ${i.pid}, started ${new Date(i.startedAt).toISOString()})`);
  if (alive.length === 0) return result('cluster', 'ok', `Redis reachable at ${where}; no instance running yet`, details);
  return result('cluster', 'ok', `Redis reachable at ${where}; ${alive.length} instance${alive.length === 1 ? '' : 's'} alive`, details);
}

/** Connects to the cluster's Redis and lists its instances; nothing when the config has no cluster. */
export const checkCluster: Check = async (state) => {
  const cluster = state.config.cluster;
  if (cluster === undefined) return [];
  const where = describeRedisTarget(cluster.redis);
  try {
    return [describeInstances(where, await listClusterInstances(cluster))];
  } catch (err) {
    return [result('cluster', 'fail', failureText(err))];
  }
};
