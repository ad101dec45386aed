/**
 * The sandbox's traffic generator: plays realistic conversation lifecycles (docs/architecture.md,
 * "Conversation frames") through the sandbox org, which publishes a full snapshot after every
 * change. Runs continuously (`start`), for a fixed number of conversations (`play`), or one conversation at a
 * time for deterministic tests (`startOne`, with `pause`/`step`/`resume`).
 */
import { silentLogger, type Logger } from '../../log.js';
import type { SandboxConversation } from '../org/conversation.js';
import { Arrivals } from './arrivals.js';
import { TrafficError } from './errors.js';
import { chooseConversation, chooseScript, resolveTraffic, type ResolvedTraffic, type StartOneOptions, type TrafficOptions } from './options.js';
import { CustomerPool, customerWithAddress } from './people.js';
import type { ConversationPlan } from './plan.js';
import { ConversationPlayer, type TrafficEvent, type TrafficOrg } from './player.js';
import { randomSeed, Rng } from './random.js';
import { Scheduler, systemClock, type Clock } from './scheduler.js';
import { buildPlan, canPlay, type PlanInput } from './scripts.js';

export type { TrafficEvent, TrafficOrg } from './player.js';
export type { StartOneOptions, TrafficOptions } from './options.js';

/** What the generator is built on (all optional). */
export interface TrafficDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly onEvent: (event: TrafficEvent) => void;
}

interface PlayRun {
  readonly arrivals: Arrivals;
  readonly finish: () => void;
}

/** Generates conversations in the sandbox org. Every timer is tracked and cleared by {@link stop}. */
export class TrafficGenerator {
  private readonly scheduler: Scheduler;
  private readonly player: ConversationPlayer;
  private readonly logger: Logger;
  private rng = new Rng(randomSeed());
  private pool = new CustomerPool();
  private continuous: Arrivals | undefined;
  private readonly plays = new Set<PlayRun>();

  constructor(
    private readonly org: TrafficOrg,
    deps: Partial<TrafficDeps> = {},
  ) {
    const clock = deps.clock ?? systemClock;
    this.logger = (deps.logger ?? silentLogger).child({ component: 'sandbox-traffic' });
    this.scheduler = new Scheduler(clock, (err) => {
      this.logger.error('a sandbox traffic timer failed', { error: err instanceof Error ? err.name : typeof err });
    });
    this.player = new ConversationPlayer(org, this.scheduler, () => clock.now(), this.logger);
    this.player.onEvent = deps.onEvent;
  }

  /** Conversations started so far. */
  get started(): number {
    return this.player.started;
  }

  /** Conversations that have played their last step. */
  get ended(): number {
    return this.player.ended;
  }

  /** Conversations in which an agent connected at least once. */
  get connected(): number {
    return this.player.connected;
  }

  /** Conversations in flight. */
  get active(): number {
    return this.player.active;
  }

  get paused(): boolean {
    return this.scheduler.paused;
  }

  /** Called after every published step, at the start and at the end of each conversation. */
  get onEvent(): ((event: TrafficEvent) => void) | undefined {
    return this.player.onEvent;
  }

  set onEvent(hook: ((event: TrafficEvent) => void) | undefined) {
    this.player.onEvent = hook;
  }

  /** Starts conversations at `ratePerSec` until {@link stop}; replaces a previous `start`. */
  start(opts: TrafficOptions): void {
    const t = this.resolve(opts);
    this.continuous?.cancel();
    this.continuous = new Arrivals(this.scheduler, this.rng.fork(), t.ratePerSec, Infinity, () => {
      this.arrive(t);
    });
    this.continuous.start();
  }

  /**
   * Starts exactly `count` conversations at `ratePerSec` and resolves once all have ended (or
   * early when {@link stop} is called: compare `ended`).
   */
  play(count: number, opts: TrafficOptions): Promise<void> {
    let t: ResolvedTraffic;
    try {
      if (!Number.isInteger(count) || count < 0) throw new TrafficError('traffic.invalid-options', 'count must be a whole number >= 0.');
      t = this.resolve(opts);
    } catch (err) {
      return rejected(err);
    }
    return new Promise((resolve) => {
      let live = 0;
      let allStarted = false;
      const check = (): void => {
        if (allStarted && live === 0) run.finish();
      };
      const arrivals = new Arrivals(
        this.scheduler,
        this.rng.fork(),
        t.ratePerSec,
        count,
        () => {
          live++;
          this.arrive(t, () => {
            live--;
            check();
          });
        },
        () => {
          allStarted = true;
          check();
        },
      );
      const run: PlayRun = {
        arrivals,
        finish: () => {
          if (this.plays.delete(run)) resolve();
        },
      };
      this.plays.add(run);
      arrivals.start();
    });
  }

  /**
   * Starts one conversation now. Resolves with it once it reaches `until` (default `started`:
   * after its first snapshot); a conversation that ends first resolves then.
   */
  startOne(opts: StartOneOptions = {}): Promise<SandboxConversation> {
    try {
      const { plan, speed } = this.planOne(opts);
      this.player.launch(plan, speed);
      return this.player.waitFor(plan.conversation.id, opts.until ?? 'started') ?? Promise.resolve(plan.conversation);
    } catch (err) {
      return rejected(err);
    }
  }

  /** Resolves once the conversation has ended (at once, with undefined, if it is not in flight). */
  whenEnded(conversationId: string): Promise<SandboxConversation | undefined> {
    return this.player.waitFor(conversationId, 'ended') ?? Promise.resolve(undefined);
  }

  /** Freezes arrivals and every conversation where it is. */
  pause(): void {
    this.scheduler.pause();
  }

  /** Continues after {@link pause}, each timer with the delay it had left. */
  resume(): void {
    this.scheduler.resume();
  }

  /**
   * Plays the next step of one conversation now, or (without an id) whatever is due next,
   * an arrival included. Meant for step-by-step tests while paused; false if nothing was run.
   */
  step(conversationId?: string): boolean {
    return conversationId === undefined ? this.scheduler.runNext() : this.player.step(conversationId);
  }

  /** Stops scheduling and clears every timer; conversations in flight stay where they are. */
  stop(): void {
    this.continuous?.cancel();
    this.continuous = undefined;
    for (const run of [...this.plays]) {
      run.arrivals.cancel();
      run.finish();
    }
    this.scheduler.clear();
    this.scheduler.resume();
    this.player.stopAll();
  }

  private resolve(opts: Partial<TrafficOptions>): ResolvedTraffic {
    const t = resolveTraffic(opts, this.org.queues.map((q) => q.id));
    if (t.seed !== undefined) {
      this.rng = new Rng(t.seed);
      this.pool = new CustomerPool();
    }
    return t;
  }

  private trafficOf(opts: StartOneOptions): Partial<TrafficOptions> {
    const { media, queueId, transferQueueId: _t, customerAddress: _c, script: _s, until: _u, seed: _seed, ...rest } = opts;
    return {
      ...rest,
      ...(media !== undefined && { media: typeof media === 'string' ? [media] : media }),
      ...(queueId !== undefined && { queueIds: [queueId] }),
    };
  }

  /** Draws a conversation that arrives by itself (`start`/`play`). */
  private arrive(t: ResolvedTraffic, onEnd?: () => void): void {
    try {
      const choice = chooseConversation(this.rng, t);
      const customer = this.pool.next(this.rng, t.repeatCustomerShare);
      const preset = forgedFor(this.rng, t);
      const plan = this.plan({
        ...choice,
        customer,
        rng: this.rng.fork(),
        queueName: (id) => this.queueName(id),
        ...(preset !== undefined && { presetAttributes: preset }),
      });
      this.player.launch(plan, t.speed, onEnd);
    } catch (err) {
      this.logger.error('starting a sandbox conversation failed', { error: err instanceof Error ? err.name : typeof err });
      onEnd?.();
    }
  }

  /** Draws the conversation `startOne` asked for; explicit choices that cannot be played are errors. */
  private planOne(opts: StartOneOptions): { plan: ConversationPlan; speed: number } {
    const seeded = opts.seed === undefined ? this.trafficOf(opts) : { ...this.trafficOf(opts), seed: opts.seed };
    const t = this.resolve(seeded);
    const orgQueueIds = this.org.queues.map((q) => q.id);
    const rng = this.rng;
    const media = rng.pick(t.media);
    const queueId = rng.pick(t.queueIds);
    if (opts.transferQueueId !== undefined && !orgQueueIds.includes(opts.transferQueueId)) {
      throw new TrafficError('traffic.invalid-options', `queue ${opts.transferQueueId} does not exist in the sandbox org.`);
    }
    const others = orgQueueIds.filter((q) => q !== queueId);
    const transferQueueId = opts.transferQueueId ?? (others.length > 0 ? rng.pick(others) : undefined);
    let script = opts.script ?? chooseScript(rng.next(), rng.next(), media, t, others.length + 1);
    if (!canPlay(media, script, queueId, transferQueueId)) {
      if (opts.script !== undefined) {
        throw new TrafficError('traffic.unplayable', `A ${media} conversation cannot play the '${script}' script with these queues.`);
      }
      script = 'connect';
    }
    const customer =
      opts.customerAddress === undefined ? this.pool.next(rng, t.repeatCustomerShare) : customerWithAddress(rng, opts.customerAddress);
    const preset = forgedFor(rng, t);
    const plan = this.plan({
      rng: rng.fork(),
      media,
      script,
      queueId,
      ...(transferQueueId !== undefined && { transferQueueId }),
      customer,
      ...(opts.customerAddress !== undefined && { address: opts.customerAddress }),
      ...(preset !== undefined && { presetAttributes: preset }),
      queueName: (id) => this.queueName(id),
    });
    return { plan, speed: t.speed };
  }

  /** Builds the plan and makes its conversation id unique (a reused seed replays ids). */
  private plan(input: PlanInput | (Omit<PlanInput, 'transferQueueId'> & { transferQueueId: string | undefined })): ConversationPlan {
    const { transferQueueId, ...rest } = input;
    const plan = buildPlan(transferQueueId === undefined ? rest : { ...rest, transferQueueId });
    while (this.player.taken(plan.conversation.id)) plan.conversation.id = this.rng.uuid();
    return plan;
  }

  private queueName(queueId: string): string {
    return this.org.queues.find((q) => q.id === queueId)?.name ?? queueId;
  }
}

/** The forged attributes this conversation's customer carries, if it is one of the forging share. */
function forgedFor(rng: Rng, t: ResolvedTraffic): Readonly<Record<string, string>> | undefined {
  const forged = t.forgedMarkers;
  return forged !== undefined && rng.chance(forged.share) ? forged.attributes : undefined;
}

/** Turns a synchronous failure into a rejected promise (the methods that return promises never throw). */
function rejected(err: unknown): Promise<never> {
  return Promise.reject(err instanceof Error ? err : new Error('traffic request failed', { cause: err }));
}
