/** Round trips of the latest echoes (a bounded sample): `count`, and the figures once there is one. */
export interface RttSummary {
  count: number;
  min: number | undefined;
  median: number | undefined;
  p95: number | undefined;
  max: number | undefined;
}

/** How many of the latest round trips are kept. */
const KEEP = 1000;

/** Round-trip times of the latest echoes (a bounded sample), summarised as min, median, p95 and max. */
export class RttStats {
  #samples: number[] = [];

  add(ms: number): void {
    this.#samples.push(ms);
    if (this.#samples.length > KEEP) this.#samples.shift();
  }

  /** The latest `count` round trips, oldest first. */
  recent(count: number): number[] {
    return this.#samples.slice(-count);
  }

  summary(): RttSummary {
    const sorted = [...this.#samples].sort((a, b) => a - b);
    const at = (q: number): number | undefined => sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)];
    return { count: sorted.length, min: sorted[0], median: at(0.5), p95: at(0.95), max: sorted.at(-1) };
  }
}
