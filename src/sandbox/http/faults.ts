/**
 * Fault injection for the REST API. A rule matches calls of one endpoint (or every endpoint, `*`)
 * and fires for the next N of them, or for a share of them, and strikes:
 * - `before` the route runs (default): nothing is applied; the call is answered with a status
 *   (5xx, 429 with any `Retry-After`), answered late, or its connection is reset;
 * - `after` the route ran and succeeded: the write **is applied**, then its answer fails (a
 *   status), comes late (past the client's timeout, `delayMs`), or never comes (reset). This is
 *   how a write of unknown outcome is played.
 * Plus a fixed latency per endpoint and "slow spells" (latency on an endpoint for a time window).
 * Every fault that fires is counted by kind ({@link FaultInjector.counts}).
 */
import { ApiFailure } from './router.js';
import { tooManyRequests } from './rate-limit.js';

/** What a fault does to the call. */
export type FaultEffect = 'status' | 'late' | 'reset';
/** When it strikes: before the route runs, or after it ran (its work applied). */
export type FaultPhase = 'before' | 'after';

/** A fault rule; `endpoint` is a route pattern such as `/api/v2/conversations/{conversationId}` or `*`. */
export interface FaultRule {
  readonly endpoint: string;
  /** HTTP method to match; all methods when omitted. */
  readonly method?: string;
  /** Default `before`. */
  readonly phase?: FaultPhase;
  /** Default `status`. */
  readonly effect?: FaultEffect;
  /** The status answered (`status` effect). */
  readonly status?: number;
  /** How long the answer is held (`late` effect). */
  readonly delayMs?: number;
  /** Fire for this many matching calls, then stop. */
  readonly count?: number;
  /** Fire for this share (0..1) of matching calls, until cleared. */
  readonly share?: number;
  /** `Retry-After` seconds for 429s (any size). */
  readonly retryAfterS?: number;
}

/** A window of extra latency on one endpoint (or `*`). */
export interface SlowSpell {
  readonly endpoint: string;
  readonly latencyMs: number;
  /**
   * `before` (default): the call waits before the route runs (it is applied late, even if the
   * client has gone). `after`: the route runs at once and its answer is held (applied, answered late).
   */
  readonly phase?: FaultPhase;
  /** Start of the window, epoch ms (default: now). */
  readonly startAt?: number;
  readonly durationMs: number;
}

/** A fault that fired for one call: what the front must do. */
export type FiredFault =
  | { readonly phase: FaultPhase; readonly effect: 'status'; readonly failure: ApiFailure }
  | { readonly phase: FaultPhase; readonly effect: 'late'; readonly delayMs: number }
  | { readonly phase: FaultPhase; readonly effect: 'reset' };

/** What an injected fault did to the answer of a call whose work was applied. */
export interface AnswerFault {
  readonly effect: FaultEffect;
  /** The status answered instead of the route's (`status` effect). */
  readonly status?: number;
  /** `late` effect: whether the client was still there to receive the late answer. */
  readonly delivered?: boolean;
}

interface ActiveRule extends FaultRule {
  remaining: number;
}

/** Thrown for rules that cannot work (e.g. a `status` rule without a status). */
export class FaultRuleError extends Error {
  readonly code = 'sandbox.fault-rule-invalid';
}

/** Checks a rule (from tests or the control API) and fills in its defaults. */
export function checkRule(rule: FaultRule): FaultRule {
  // Rules also come as JSON from the control API: check what the types cannot promise.
  const effect = (rule.effect ?? 'status') as string;
  const phase = (rule.phase ?? 'before') as string;
  if (typeof rule.endpoint !== 'string' || rule.endpoint === '') throw new FaultRuleError('a fault rule needs an endpoint');
  if (effect !== 'status' && effect !== 'late' && effect !== 'reset') throw new FaultRuleError(`unknown fault effect '${effect}'`);
  if (phase !== 'before' && phase !== 'after') throw new FaultRuleError(`unknown fault phase '${phase}'`);
  if (effect === 'status' && (typeof rule.status !== 'number' || rule.status < 400 || rule.status > 599)) {
    throw new FaultRuleError('a status fault needs a status from 400 to 599');
  }
  if (effect === 'late' && (typeof rule.delayMs !== 'number' || rule.delayMs < 0)) throw new FaultRuleError('a late fault needs delayMs >= 0');
  if (rule.share !== undefined && (typeof rule.share !== 'number' || rule.share < 0 || rule.share > 1)) throw new FaultRuleError('share must be from 0 to 1');
  if (rule.count !== undefined && (!Number.isInteger(rule.count) || rule.count < 0)) throw new FaultRuleError('count must be a whole number >= 0');
  return { ...rule, effect, phase };
}

/** Holds the active fault rules, latencies and slow spells, and counts what fired. */
export class FaultInjector {
  private rules: ActiveRule[] = [];
  private spells: Required<SlowSpell>[] = [];
  private readonly latencies = new Map<string, number>();
  /** Status faults answered so far, by status (both phases). */
  readonly injected = new Map<number, number>();
  private readonly fired = new Map<string, number>();

  constructor(
    private readonly random: () => number = Math.random,
    private readonly now: () => number = Date.now,
  ) {}

  add(rule: FaultRule): void {
    const checked = checkRule(rule);
    this.rules.push({ ...checked, remaining: checked.count ?? Number.POSITIVE_INFINITY });
  }

  /** Adds `ms` of latency to `endpoint` (or `*`); 0 removes it. */
  setLatency(endpoint: string, ms: number): void {
    if (ms > 0) this.latencies.set(endpoint, ms);
    else this.latencies.delete(endpoint);
  }

  /** Slows `endpoint` by `latencyMs` for calls received during the window. */
  addSlowSpell(spell: SlowSpell): void {
    if (!(spell.latencyMs >= 0) || !(spell.durationMs > 0)) throw new FaultRuleError('a slow spell needs latencyMs >= 0 and durationMs > 0');
    const phase = (spell.phase ?? 'before') as string;
    if (phase !== 'before' && phase !== 'after') throw new FaultRuleError(`unknown slow spell phase '${phase}'`);
    this.spells.push({ ...spell, phase, startAt: spell.startAt ?? this.now() });
  }

  /** Removes every rule, latency and spell (the counts stay: tests read them afterwards). */
  clear(): void {
    this.rules = [];
    this.spells = [];
    this.latencies.clear();
  }

  /** Fixed latency plus any `before` slow spell in force for a call received now. */
  latencyFor(endpoint: string): number {
    const spell = this.spellLatency('before', endpoint);
    return (this.latencies.get(endpoint) ?? 0) + (this.latencies.get('*') ?? 0) + spell;
  }

  /** How long the answer of an applied call received now is held by `after` slow spells. */
  answerLatencyFor(endpoint: string): number {
    return this.spellLatency('after', endpoint);
  }

  private spellLatency(phase: FaultPhase, endpoint: string): number {
    const now = this.now();
    let total = 0;
    for (const s of this.spells) {
      const matches = s.phase === phase && (s.endpoint === '*' || s.endpoint === endpoint);
      if (matches && now >= s.startAt && now < s.startAt + s.durationMs) total += s.latencyMs;
    }
    this.spells = this.spells.filter((s) => now < s.startAt + s.durationMs);
    if (total > 0) this.count(phase === 'before' ? 'spell/slow' : 'spell/slow-answer');
    return total;
  }

  /** Throws the injected failure for this call if a `before` status rule fires (the original API). */
  check(method: string, endpoint: string): void {
    const fault = this.strike('before', method, endpoint);
    if (fault?.effect === 'status') throw fault.failure;
  }

  /** The fault that strikes this call in `phase`, if a rule fires (counted). */
  strike(phase: FaultPhase, method: string, endpoint: string): FiredFault | undefined {
    let fired: FiredFault | undefined;
    for (const rule of this.rules) {
      if ((rule.phase ?? 'before') !== phase) continue;
      if (rule.endpoint !== '*' && rule.endpoint !== endpoint) continue;
      if (rule.method !== undefined && rule.method !== method) continue;
      if (rule.remaining <= 0) continue;
      if (rule.share !== undefined && this.random() >= rule.share) continue;
      rule.remaining--;
      fired = this.fire(phase, rule);
      break;
    }
    this.rules = this.rules.filter((r) => r.remaining > 0);
    return fired;
  }

  /** Faults fired so far, by kind: `before/503`, `after/429`, `after/late`, `after/reset`, `spell/slow`, `spell/slow-answer`, ... */
  counts(): Record<string, number> {
    return Object.fromEntries([...this.fired].sort(([a], [b]) => a.localeCompare(b)));
  }

  private fire(phase: FaultPhase, rule: ActiveRule): FiredFault {
    const effect = rule.effect ?? 'status';
    if (effect === 'late') {
      this.count(`${phase}/late`);
      return { phase, effect, delayMs: rule.delayMs ?? 0 };
    }
    if (effect === 'reset') {
      this.count(`${phase}/reset`);
      return { phase, effect };
    }
    const status = rule.status ?? 500;
    this.injected.set(status, (this.injected.get(status) ?? 0) + 1);
    this.count(`${phase}/${String(status)}`);
    const failure =
      status === 429
        ? tooManyRequests(rule.retryAfterS ?? 1)
        : new ApiFailure(status, status === 503 ? 'service.unavailable' : 'internal.server.error', 'Injected sandbox fault');
    return { phase, effect, failure };
  }

  private count(kind: string): void {
    this.fired.set(kind, (this.fired.get(kind) ?? 0) + 1);
  }
}
