/** Collects latencies and reports p50 and p99. Keeps every sample: runs are bounded in time. */
export class LatencyRecorder {
  private readonly samples: number[] = [];

  add(ms: number): void {
    this.samples.push(ms);
  }

  get count(): number {
    return this.samples.length;
  }

  /** The slowest sample (Infinity with none). */
  get max(): number {
    return this.samples.length === 0 ? Infinity : this.samples.reduce((a, b) => Math.max(a, b), 0);
  }

  percentiles(): { p50Ms: number; p99Ms: number } {
    // No echo at all (a starved client): its latency is unbounded, not unknown.
    if (this.samples.length === 0) return { p50Ms: Infinity, p99Ms: Infinity };
    const sorted = Float64Array.from(this.samples).sort();
    const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
    return { p50Ms: at(0.5), p99Ms: at(0.99) };
  }
}
