/**
 * How many Genesys channels one OAuth client may hold (20): a 21st makes Genesys evict the oldest
 * channel without a socket, or else the oldest of all, which may be one of ours in use. The budget
 * counts our channels plus the extra ones that make-before-break rotations hold for a moment, so
 * that a rotation only overlaps when there is room, and otherwise breaks before it makes.
 */

/** How a rotation replaces its channel. */
export type RotationMode = 'make-before-break' | 'break-before-make';

/**
 * The rotation mode for one more rotation: overlapping needs one channel beyond the `members` in
 * use and the `extras` other overlapping rotations already hold; at the cap the old channel's socket
 * is closed first (it then has no socket, so Genesys evicts it, or an older idle one, not a live one).
 */
export function rotationMode(members: number, extras: number, cap: number): RotationMode {
  return members + extras + 1 <= cap ? 'make-before-break' : 'break-before-make';
}

/** Shared by the channels of one OAuth client: who may hold an extra channel during a rotation. */
export interface RotationRoom {
  /** A release function when there is room for one extra channel, else `undefined`. */
  tryReserve(): (() => void) | undefined;
}

/** The room of a set of channels under a cap (see the module comment). */
export class ChannelBudget implements RotationRoom {
  private extras = 0;

  constructor(
    /** Channels this OAuth client may hold at once. */
    readonly cap: number,
    /** Channels in use now (one per notification channel of the set). */
    private readonly members: () => number,
  ) {}

  /** Extra channels held by overlapping rotations right now. */
  get held(): number {
    return this.extras;
  }

  tryReserve(): (() => void) | undefined {
    if (rotationMode(this.members(), this.extras, this.cap) === 'break-before-make') return undefined;
    this.extras += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.extras -= 1;
    };
  }
}
