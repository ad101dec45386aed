/**
 * Calls Genesys refused with 403, by endpoint, until the same endpoint succeeds again. A 403 is a
 * missing permission: retrying cannot fix it, an operator must. Readiness and `check` read this,
 * and the warning is rate-limited per endpoint so a catch-up of hundreds of GETs logs a few lines,
 * not hundreds (each line says how many were refused since the last one).
 */

/** One refused endpoint. */
export interface DeniedCall {
  readonly endpoint: string;
  readonly permission: string;
  /** Refusals since the endpoint last succeeded. */
  readonly count: number;
  readonly lastAt: number;
}

/** What to log for one refusal, or nothing when a line for this endpoint went out recently. */
export interface DenialLog {
  readonly endpoint: string;
  readonly permission: string;
  /** Refusals since the previous line (this one included). */
  readonly refused: number;
}

export class DenialBoard {
  private readonly denied = new Map<string, DeniedCall>();
  private readonly logged = new Map<string, { at: number; pending: number }>();

  constructor(
    /** At most one warning per endpoint in this many ms. */
    private readonly logEveryMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records a 403; returns the warning to log, if one is due. */
  refused(endpoint: string, permission: string): DenialLog | undefined {
    const now = this.now();
    const before = this.denied.get(endpoint);
    this.denied.set(endpoint, { endpoint, permission, count: (before?.count ?? 0) + 1, lastAt: now });
    const log = this.logged.get(endpoint);
    const pending = (log?.pending ?? 0) + 1;
    if (log !== undefined && now - log.at < this.logEveryMs) {
      this.logged.set(endpoint, { at: log.at, pending });
      return undefined;
    }
    this.logged.set(endpoint, { at: now, pending: 0 });
    return { endpoint, permission, refused: pending };
  }

  /** The endpoint answered: whatever was missing is granted now. */
  succeeded(endpoint: string): void {
    if (this.denied.delete(endpoint)) this.logged.delete(endpoint);
  }

  /** Endpoints refused since they last succeeded. */
  list(): DeniedCall[] {
    return [...this.denied.values()];
  }
}
