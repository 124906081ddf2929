/** Collects latencies and reports p50 and p99. Keeps every sample: runs are bounded in time. */
export class LatencyRecorder {
  private readonly samples: number[] = [];

  add(ms: number): void {
    this.samples.push(ms);
  }

  get count(): number {
    return this.samples.length;
  }

  percentiles(): { p50Ms: number; p99Ms: number } {
    if (this.samples.length === 0) return { p50Ms: NaN, p99Ms: NaN };
    const sorted = Float64Array.from(this.samples).sort();
    const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
    return { p50Ms: at(0.5), p99Ms: at(0.99) };
  }
}
