/** Round-trip times of the latest echoes (a bounded sample), summarised as min, median and p95. */
export class RttStats {
  private samples: number[] = [];

  constructor(private readonly keep = 1000) {}

  add(ms: number): void {
    this.samples.push(ms);
    if (this.samples.length > this.keep) this.samples.shift();
  }

  get count(): number {
    return this.samples.length;
  }

  summary(): { min: number; median: number; p95: number } | undefined {
    if (this.samples.length === 0) return undefined;
    const sorted = [...this.samples].sort((a, b) => a - b);
    const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
    return { min: sorted[0]!, median: at(0.5), p95: at(0.95) };
  }
}
