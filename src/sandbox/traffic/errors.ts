/** Errors of the sandbox traffic generator. */
import { EnricherError } from '../../errors.js';

/** `traffic.invalid-options`: bad traffic options; `traffic.unplayable`: a script the org cannot play. */
export type TrafficErrorCode = 'traffic.invalid-options' | 'traffic.unplayable';

/** A traffic request that cannot be carried out. */
export class TrafficError extends EnricherError {
  declare readonly code: TrafficErrorCode;

  constructor(code: TrafficErrorCode, message: string, cause?: unknown) {
    super(code, message, cause === undefined ? undefined : { cause });
  }
}
