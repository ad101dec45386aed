/** `genesys-enricher check --config FILE` (being built: see issue 4). */
import type { CommandIo } from './io.js';
import { UsageError } from './exit.js';

export interface CheckArgs {
  readonly configFile: string;
}

export function checkCommand(_args: CheckArgs, _io: CommandIo): Promise<number> {
  return Promise.reject(new UsageError('check is not available yet'));
}
