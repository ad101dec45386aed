/** `genesys-enricher inspect --config FILE --conversation ID [--write]` (being built: see issue 4). */
import type { CommandIo } from './io.js';
import { UsageError } from './exit.js';

export interface InspectArgs {
  readonly configFile: string;
  readonly conversationId: string;
  readonly write: boolean;
}

export function inspectCommand(_args: InspectArgs, _io: CommandIo): Promise<number> {
  return Promise.reject(new UsageError('inspect is not available yet'));
}
