/** `genesys-enricher audit FILE [--follow] [--conversation ID] [--since T]` (being built: see issue 4). */
import type { CommandIo } from './io.js';
import { UsageError } from './exit.js';

export interface AuditArgs {
  readonly file: string;
  readonly follow: boolean;
  readonly conversationId?: string;
  readonly since?: string;
  readonly json: boolean;
}

export function auditCommand(_args: AuditArgs, _io: CommandIo): Promise<number> {
  return Promise.reject(new UsageError('audit is not available yet'));
}
