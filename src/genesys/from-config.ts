/**
 * The Genesys client a config describes. The daemon and the operator commands build theirs
 * here, so `check` and `inspect` meet the org exactly as `run` does.
 */
import type { EnricherConfig } from '../config/index.js';
import type { Logger } from '../log.js';
import type { CallObserver } from './caller.js';
import { GenesysClient } from './client.js';

/** Knobs the config file does not hold. */
export interface ClientExtras {
  /** Budget window (60 s in Genesys; tests and benchmarks scale it). */
  readonly windowMs?: number;
  /** Receives the caller's events (the daemon turns them into metrics). */
  readonly observer?: CallObserver;
  /** Called after every login with its generation (the stream rotates its channels). */
  readonly onTokenRenewed?: (generation: number) => void;
}

/** A client for the config's org; not logged in yet. */
export function genesysClientFor(config: EnricherConfig, logger: Logger, extras: ClientExtras = {}): GenesysClient {
  const g = config.genesys;
  return new GenesysClient(
    {
      target: g.region !== undefined ? { region: g.region } : { gatewayUrl: g.gatewayUrl },
      clientId: g.clientId,
      clientSecret: g.clientSecret,
      requestsPerMinute: g.requestsPerMinute,
      maxConcurrentRequests: g.maxConcurrentRequests,
      timeoutMs: g.timeoutMs,
      retryAfterCapMs: g.retryAfterCapMs,
      ...(extras.windowMs !== undefined && { windowMs: extras.windowMs }),
    },
    {
      logger: logger.child({ component: 'genesys' }),
      ...(extras.observer && { observer: extras.observer }),
      ...(extras.onTokenRenewed && { onTokenRenewed: extras.onTokenRenewed }),
    },
  );
}
