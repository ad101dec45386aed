/** Splits a byte stream into text lines, keeping a line that has not ended yet for the next chunk. */
import { StringDecoder } from 'node:string_decoder';

/** Options of a {@link LineSplitter}. */
export interface LineSplitterOptions {
  /**
   * A "line" longer than this is handed out as it is (to be found unreadable) instead of growing
   * the buffer without bound (a binary file has no newlines).
   */
  readonly maxLineChars: number;
}

/** Defaults of {@link LineSplitterOptions}. */
export const LINE_SPLITTER_DEFAULTS = { maxLineChars: 1_000_000 } as const satisfies LineSplitterOptions;

/** Bytes in, complete lines out; a multi-byte character split across chunks survives. */
export class LineSplitter {
  private decoder = new StringDecoder('utf8');
  private rest = '';

  constructor(private readonly opts: LineSplitterOptions = LINE_SPLITTER_DEFAULTS) {}

  /** The lines that `chunk` completes (without their `\n` or `\r\n`). */
  push(chunk: Buffer): string[] {
    const parts = (this.rest + this.decoder.write(chunk)).split('\n');
    this.rest = parts.pop() ?? '';
    const lines = parts.map(stripCr);
    if (this.rest.length > this.opts.maxLineChars) {
      lines.push(this.rest);
      this.rest = '';
    }
    return lines;
  }

  /** The unfinished last line so far ('' if none), and forgets it. */
  takeRest(): string {
    const rest = stripCr(this.rest + this.decoder.end());
    this.decoder = new StringDecoder('utf8');
    this.rest = '';
    return rest;
  }
}

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
