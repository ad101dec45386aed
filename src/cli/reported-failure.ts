/** A failure a command already wrote to its log: the CLI then only sets the exit code. */
import { EnricherError } from '../errors.js';

export class ReportedFailure extends EnricherError {
  constructor(
    readonly exitCode: number,
    options?: { cause?: unknown },
  ) {
    super('cli.reported', 'failure already reported in the log', options);
  }
}
