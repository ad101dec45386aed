/**
 * How `check` words a Genesys refusal: a 403 names the call and the permission the OAuth client
 * lacks (as Genesys named it, else as the SDK's operation docs do); anything else is the usual
 * failure text.
 */
import { missingPermission } from '../../genesys/calls.js';
import { GenesysApiError } from '../../genesys/errors.js';
import { failureText } from './failure-text.js';

/** The permission a 403 is about, or undefined when `err` is not a 403. */
export function refusedPermission(err: unknown): string | undefined {
  if (!(err instanceof GenesysApiError) || err.status !== 403) return undefined;
  return missingPermission(err.endpoint, err.message);
}

/** One line for a failed Genesys call during a check. */
export function checkFailureText(err: unknown): string {
  const permission = refusedPermission(err);
  if (permission === undefined || !(err instanceof GenesysApiError)) return failureText(err);
  return `${err.endpoint} refused (403): the OAuth client lacks ${permission}`;
}
