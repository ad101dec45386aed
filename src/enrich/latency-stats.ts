/** Counts and latency percentiles for the run summary (bounded: a reservoir of recent samples). */
export class LatencyStats {
  private readonly samples: number[] = [];
  private next = 0;
  count = 0;

  constructor(private readonly size = 10_000) {}

  add(ms: number): void {
    this.count++;
    if (this.samples.length < this.size) this.samples.push(ms);
    else {
      this.samples[this.next] = ms;
      this.next = (this.next + 1) % this.size;
    }
  }

  /** The p-th percentile (0..100) of the kept samples, or undefined with none. */
  percentile(p: number): number | undefined {
    if (this.samples.length === 0) return undefined;
    const sorted = [...this.samples].sort((a, b) => a - b);
    const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
    return sorted[idx];
  }
}
