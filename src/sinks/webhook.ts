/**
 * The analytics webhook: best effort, bounded and never in the pipeline's way. Events wait in
 * a small queue (the oldest is dropped when it is full), go out with a timeout, at most two at a
 * time, with one retry; a failure is counted and logged, never thrown.
 */
import type { Logger } from '../log.js';

/** What the webhook receives per decision (hashed values only, like the audit line). */
export interface WebhookEvent {
  readonly ts: string;
  readonly event: string;
  readonly conversationId: string;
  readonly queueId?: string;
  readonly traceId: string;
  readonly attributes?: readonly string[];
  readonly crm?: string;
  readonly latencyMs?: Readonly<Record<string, number>>;
}

export interface WebhookOptions {
  readonly url: string;
  readonly timeoutMs: number;
  readonly maxQueued: number;
  readonly concurrency: number;
}

export const WEBHOOK_DEFAULTS = { timeoutMs: 2_000, maxQueued: 1_000, concurrency: 2 } as const;

export class AnalyticsWebhook {
  private readonly queue: WebhookEvent[] = [];
  private active = 0;
  private readonly idleWaiters: (() => void)[] = [];
  /** Aborts every delivery in flight when the webhook stops. */
  private readonly stopping = new AbortController();
  sent = 0;
  dropped = 0;

  constructor(
    private readonly opts: WebhookOptions,
    private readonly deps: { logger: Logger; onDrop?: () => void; fetch?: typeof fetch },
  ) {}

  /** Queues an event; returns at once. After `stop()` the event is counted as dropped. */
  post(event: WebhookEvent): void {
    if (this.stopping.signal.aborted) {
      this.drop('stopped');
      return;
    }
    if (this.queue.length >= this.opts.maxQueued) {
      this.queue.shift();
      this.drop('queue-full');
    }
    this.queue.push(event);
    this.pump();
  }

  /** Resolves when nothing is queued or in flight (or after `timeoutMs`). */
  async drain(timeoutMs: number): Promise<void> {
    if (this.active === 0 && this.queue.length === 0) return;
    await Promise.race([
      new Promise<void>((resolve) => this.idleWaiters.push(resolve)),
      new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref()),
    ]);
  }

  /**
   * Gives queued and in-flight events up to `graceMs`, then aborts what is still in flight and
   * drops the rest. Resolves once no delivery runs, so nothing of the webhook logs or counts
   * after it: the daemon closes its logger right after the last component stopped.
   */
  async stop(graceMs: number): Promise<{ sent: number; dropped: number }> {
    await this.drain(graceMs);
    this.stopping.abort();
    const unsent = this.queue.splice(0).length;
    this.dropped += unsent;
    if (this.active > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    return { sent: this.sent, dropped: this.dropped };
  }

  private pump(): void {
    while (this.active < this.opts.concurrency && this.queue.length > 0) {
      const event = this.queue.shift();
      if (!event) break;
      this.active++;
      void this.deliver(event).finally(() => {
        this.active--;
        this.pump();
        if (this.active === 0 && this.queue.length === 0) for (const w of this.idleWaiters.splice(0)) w();
      });
    }
  }

  private async deliver(event: WebhookEvent): Promise<void> {
    const doFetch = this.deps.fetch ?? fetch;
    const body = JSON.stringify(event);
    for (let attempt = 1; attempt <= 2 && !this.stopping.signal.aborted; attempt++) {
      try {
        const res = await doFetch(this.opts.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          signal: AbortSignal.any([AbortSignal.timeout(this.opts.timeoutMs), this.stopping.signal]),
        });
        await res.body?.cancel();
        if (res.ok) {
          this.sent++;
          return;
        }
        if (res.status < 500 && res.status !== 429) break;
      } catch {
        // network error or timeout: one more try
      }
    }
    this.drop('failed');
  }

  private drop(reason: string): void {
    this.dropped++;
    this.deps.onDrop?.();
    // After stop the owner reports the total once; a line here could outlive the logger.
    if (this.stopping.signal.aborted) return;
    // Log the first and then every hundredth drop: a dead webhook must not flood the log.
    if (this.dropped === 1 || this.dropped % 100 === 0) this.deps.logger.warn('analytics webhook events dropped', { reason, dropped: this.dropped });
  }
}
