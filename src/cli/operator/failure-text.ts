/** One safe line for an error met during a check or an inspection (never a raw SDK error). */
import { describeFailure } from '../exit.js';

/** The same wording the CLI prints when a command fails (no tokens, no values). */
export function failureText(err: unknown): string {
  return describeFailure(err).message;
}
