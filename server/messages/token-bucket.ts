/** The default clock of buckets and guards: one function for all (a bound `performance.now` each cost 48 bytes). */
export const monotonicNow = (): number => performance.now();

/** A token bucket: `ratePerSecond` tokens a second, holding at most `burst`. O(1) per take. */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly now: () => number = monotonicNow,
  ) {
    this.tokens = burst;
    this.updatedAt = now();
  }

  /** Takes `cost` tokens (at most `burst`): 0 when it had them, else the milliseconds until they are there. */
  take(cost = 1): number {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.updatedAt) * this.ratePerSecond) / 1000);
    this.updatedAt = now;
    const needed = Math.min(cost, this.burst);
    if (this.tokens >= needed) {
      this.tokens -= needed;
      return 0;
    }
    return Math.ceil(((needed - this.tokens) * 1000) / this.ratePerSecond);
  }
}
