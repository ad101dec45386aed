/**
 * `genesys-enricher audit FILE [--follow] [--conversation ID] [--since T] [--json]`: the audit
 * trail made readable. One line per decision, then a summary (counts by event and reason, CRM
 * outcomes, latency percentiles of the enriched). `--json` prints the kept lines unchanged and
 * nothing else. `--follow` keeps reading what the daemon appends (across logrotate) until
 * SIGINT/SIGTERM, then prints the summary. Exit 0; 1 when FILE cannot be read; 2 for a bad option.
 */
import { AuditReader } from './audit/reader.js';
import type { AuditRecord } from './audit/record.js';
import { parseSince } from './audit/since.js';
import { formatRecord } from './audit/format.js';
import { formatSummary, ignoredText } from './audit/summary.js';
import { FOLLOW_DEFAULTS, followFile, readFileOnce, type FollowOptions } from './audit/tail.js';
import type { AuditFilter } from './audit/filter.js';
import { EXIT, UsageError } from './exit.js';
import type { CommandIo } from './io.js';

/** The parsed command line of `audit`. */
export interface AuditArgs {
  readonly file: string;
  readonly follow: boolean;
  readonly conversationId?: string;
  readonly since?: string;
  readonly json: boolean;
}

/** For tests: stop `--follow` without a signal, poll faster, fix the clock for `--since`. */
export interface AuditRunOptions extends Partial<FollowOptions> {
  readonly signal?: AbortSignal;
  readonly now?: number;
}

const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** Runs the command; resolves with the exit code. Throws {@link UsageError} for a bad `--since`. */
export async function auditCommand(args: AuditArgs, io: CommandIo, opts: AuditRunOptions = {}): Promise<number> {
  const filter = filterOf(args, opts.now ?? Date.now());
  const stop = new AbortController();
  let outputClosed = false;
  const write = (text: string): void => {
    if (!outputClosed) io.stdout.write(text);
  };
  // `audit FILE | head` closes the pipe: stop quietly instead of dying on EPIPE.
  const onOutputError = (err: NodeJS.ErrnoException): void => {
    if (err.code !== 'EPIPE') return;
    outputClosed = true;
    stop.abort();
  };
  io.stdout.on('error', onOutputError);
  const emit = (record: AuditRecord): void => {
    write(args.json ? `${record.raw}\n` : `${formatRecord(record)}\n`);
  };
  const reader = new AuditReader(filter, emit);
  const onSignal = (): void => {
    stop.abort();
  };
  try {
    if (args.follow) {
      for (const s of STOP_SIGNALS) process.on(s, onSignal);
      opts.signal?.addEventListener('abort', onSignal);
      if (opts.signal?.aborted) stop.abort();
      await followFile(args.file, reader, stop.signal, { pollMs: opts.pollMs ?? FOLLOW_DEFAULTS.pollMs });
    } else {
      await readFileOnce(args.file, reader);
    }
  } catch (err) {
    io.stderr.write(`genesys-enricher: audit: cannot read ${args.file}: ${fsReason(err)}\n`);
    return EXIT.runtime;
  } finally {
    for (const s of STOP_SIGNALS) process.off(s, onSignal);
    opts.signal?.removeEventListener('abort', onSignal);
    io.stdout.off('error', onOutputError);
  }
  reader.finishFile();
  if (args.json) {
    // stdout carries only the lines; what was skipped goes to stderr.
    const ignored = ignoredText(reader.summary);
    if (ignored) io.stderr.write(`genesys-enricher: audit: ignored ${ignored}\n`);
  } else {
    write(`${reader.summary.total > 0 ? '\n' : ''}${formatSummary(reader.summary, filter)}`);
  }
  return EXIT.ok;
}

function filterOf(args: AuditArgs, now: number): AuditFilter {
  let sinceMs: number | undefined;
  if (args.since !== undefined) {
    sinceMs = parseSince(args.since, now);
    if (sinceMs === undefined) throw new UsageError('--since must be an ISO date or time (2026-03-01T08:00:00Z) or an age such as 90s, 15m, 2h, 1d');
  }
  return {
    ...(args.conversationId !== undefined && { conversationId: args.conversationId }),
    ...(sinceMs !== undefined && { sinceMs }),
  };
}

// The file name is the user's own; the reason is a fixed phrase, never a raw error dump.
function fsReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory';
    default:
      return code ?? (err instanceof Error ? err.message.slice(0, 200) : 'unknown error');
  }
}
