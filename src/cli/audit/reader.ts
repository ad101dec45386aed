/**
 * Turns the bytes of an audit file into what `audit` prints: records that pass the filter go out
 * (readable or as JSON lines) and into the summary; unreadable lines are counted, never fatal.
 */
import type { AuditFilter } from './filter.js';
import { matchesFilter } from './filter.js';
import { LineSplitter } from './lines.js';
import { parseAuditLine, type AuditRecord } from './record.js';
import { AuditSummary } from './summary.js';
import type { TailEvents } from './tail.js';

/** Consumes one file's bytes (through its rotations) for one `audit` run. */
export class AuditReader implements TailEvents {
  readonly summary = new AuditSummary();
  private readonly splitter = new LineSplitter();
  private lineNo = 0;

  constructor(
    private readonly filter: AuditFilter,
    /** Receives each kept record (in file order). */
    private readonly emit: (record: AuditRecord) => void,
  ) {}

  onChunk(chunk: Buffer): void {
    for (const line of this.splitter.push(chunk)) this.line(line);
  }

  onRestart(): void {
    // The old file ended here: a line it left unfinished will never be completed.
    this.finishFile();
    this.lineNo = 0;
  }

  /**
   * Ends the input: an unfinished last line is kept if it is a whole audit line (the file only
   * lacks its final newline) and counted as incomplete otherwise.
   */
  finishFile(): void {
    const rest = this.splitter.takeRest();
    if (rest.trim() === '') return;
    this.lineNo += 1;
    const parsed = parseAuditLine(rest);
    if (parsed.kind === 'record') this.keep(parsed.record);
    else this.summary.incomplete += 1;
  }

  private line(text: string): void {
    this.lineNo += 1;
    const parsed = parseAuditLine(text);
    if (parsed.kind === 'garbage') this.summary.unreadable.push(this.lineNo);
    else if (parsed.kind === 'record') this.keep(parsed.record);
  }

  private keep(record: AuditRecord): void {
    if (!matchesFilter(record, this.filter)) return;
    this.summary.add(record);
    this.emit(record);
  }
}
