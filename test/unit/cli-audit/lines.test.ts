import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../../../src/cli/audit/lines.js';

function run(chunks: readonly (string | Buffer)[], maxLineChars?: number): { lines: string[]; rest: string } {
  const splitter = maxLineChars === undefined ? new LineSplitter() : new LineSplitter({ maxLineChars });
  const lines = chunks.flatMap((c) => splitter.push(typeof c === 'string' ? Buffer.from(c) : c));
  return { lines, rest: splitter.takeRest() };
}

const EURO = Buffer.from('€'); // three bytes

describe('LineSplitter', () => {
  it.each<[string, (string | Buffer)[], string[], string]>([
    ['nothing', [], [], ''],
    ['one whole line', ['a\n'], ['a'], ''],
    ['a line without its newline yet', ['a'], [], 'a'],
    ['a line over three chunks', ['{"a"', ':1', '}\nb'], ['{"a":1}'], 'b'],
    ['several lines in one chunk', ['a\nb\n\nc\n'], ['a', 'b', '', 'c'], ''],
    ['CRLF endings', ['a\r\nb\r', '\n'], ['a', 'b'], ''],
    ['a multi-byte character split between chunks', [EURO.subarray(0, 1), Buffer.concat([EURO.subarray(1), Buffer.from('\n')])], ['€'], ''],
    ['a cut character at the very end', [EURO.subarray(0, 2)], [], '\ufffd'],
  ])('%s', (_name, chunks, lines, rest) => {
    expect(run(chunks)).toEqual({ lines, rest });
  });

  it('hands out an endless line instead of buffering it forever', () => {
    expect(run(['x'.repeat(6), 'y'.repeat(6), '\nz'], 10)).toEqual({ lines: ['xxxxxxyyyyyy', ''], rest: 'z' });
  });

  it('forgets the unfinished line once taken', () => {
    const splitter = new LineSplitter();
    splitter.push(Buffer.from('half'));
    expect(splitter.takeRest()).toBe('half');
    expect(splitter.push(Buffer.from(' more\n'))).toEqual([' more']);
  });
});
