/**
 * Frames for passes of the firehose. Building realistic frames is slow (about 20 k/s), so the
 * benchmark builds one set and, for each pass, rewrites every conversation id: pass `p` replaces
 * the id's first eight hex digits with `p` in hex. Frames of one conversation stay together (the
 * rewrite is a function of the id), and distinct passes give distinct conversations, so a million
 * frames can span 200,000 conversations without a million frames in memory.
 */

const ID_MARK = '"eventBody":{"id":"';

/** The frame with its conversation id rewritten for `pass`; unchanged when it has no id in front. */
export function frameForPass(frame: string, pass: number): string {
  const at = frame.indexOf(ID_MARK);
  if (at < 0) return frame;
  const start = at + ID_MARK.length;
  return `${frame.slice(0, start)}${pass.toString(16).padStart(8, '0')}${frame.slice(start + 8)}`;
}

/** Every frame rewritten for `pass`. */
export function framesForPass(frames: readonly string[], pass: number): string[] {
  return frames.map((f) => frameForPass(f, pass));
}
