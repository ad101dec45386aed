/**
 * The Redis keys of one cluster. Every key starts with `genesys-enricher:<name>:` so that
 * several clusters can share a Redis. The keys of one conversation share a hash tag (the
 * conversation id in braces), and so do the instance registry keys (the cluster name), so that
 * each script touches one Redis Cluster slot only.
 */

const ROOT = 'genesys-enricher';

/** Key names of one cluster. */
export interface ClusterKeys {
  /** Who holds the claim of a conversation (value: holder token; expires with the lease). */
  claim(conversationId: string): string;
  /** That a conversation is decided (value: the instance that decided it; expires after the retention). */
  done(conversationId: string): string;
  /** Sorted set: instance id -> last heartbeat (Redis time, ms). */
  readonly instances: string;
  /** Hash: instance id -> JSON facts (host, pid, started). */
  readonly instanceInfo: string;
  /** Bottleneck's limiter id for one OAuth client (its own keys live under `b_<id>_...`). */
  budget(clientId: string): string;
}

/** The keys of the cluster `name` (already checked against CLUSTER_NAME_PATTERN). */
export function clusterKeys(name: string, hashClientId: (clientId: string) => string): ClusterKeys {
  const prefix = `${ROOT}:${name}`;
  return {
    claim: (id) => `${prefix}:{${id}}:claim`,
    done: (id) => `${prefix}:{${id}}:done`,
    instances: `${prefix}:{instances}:seen`,
    instanceInfo: `${prefix}:{instances}:info`,
    budget: (clientId) => `${prefix}:budget:${hashClientId(clientId)}`,
  };
}
