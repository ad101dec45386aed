import { EnricherError } from '../errors.js';
import type { CrmFailure } from './types.js';

/**
 * A CRM lookup problem. `code` is `crm.<reason>` (e.g. `crm.http-503`, `crm.options-invalid`);
 * messages and causes never hold URLs (they carry customer data) or header values (tokens).
 */
export class CrmError extends EnricherError {
  /** The short failure code a lookup result reports, when this error came from a CRM call. */
  readonly reason: CrmFailure | undefined;

  constructor(
    code: CrmFailure | 'options-invalid' | 'template-invalid',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`crm.${code}`, message, options);
    this.reason = code === 'options-invalid' || code === 'template-invalid' ? undefined : code;
  }
}

/**
 * A cause safe to keep inside a {@link CrmError}: only the name and errno-style code of a
 * low-level error, because Node's messages can echo URLs (customer data) or header values.
 */
export function safeCause(err: unknown): { name: string; code?: string } | undefined {
  if (!(err instanceof Error)) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? { name: err.name, code } : { name: err.name };
}
