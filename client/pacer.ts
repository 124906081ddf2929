import type { Clock } from "./clock.js";

export interface PacingOptions {
  /** Transmissions a second on average (a token bucket), under the server's default of 1000. */
  ratePerSecond: number;
  /** Transmissions at once before the rate applies, under the server's default burst of 2000. */
  burst: number;
  /** Most transmissions awaiting their acknowledgement or echo at once. */
  window: number;
}

/**
 * The element's own pace, kept under an echo-socket server's default limits (1000 a second, burst
 * 2000) so a burst of `send()` calls is not refused (and the connection closed for repeated
 * refusals). The window also bounds the work done in one task and the refusals one back-off can cost.
 */
export const DEFAULT_PACING: PacingOptions = { ratePerSecond: 800, burst: 1000, window: 32 };

/** When the next transmission may go: a token bucket plus a window of transmissions in flight. */
export class Pacer {
  #tokens: number;
  #updatedAt: number;
  #inFlight = 0;

  readonly #options: PacingOptions;
  readonly #clock: Clock;

  constructor(options: PacingOptions, clock: Clock) {
    this.#options = options;
    this.#clock = clock;
    this.#tokens = options.burst;
    this.#updatedAt = clock.now();
  }

  /**
   * Takes a slot for one transmission: 0 when it may go now; otherwise the milliseconds until a
   * token is there, or Infinity while the window is full (a `release()` frees it).
   */
  take(): number {
    if (this.#inFlight >= this.#options.window) return Infinity;
    const now = this.#clock.now();
    const { ratePerSecond, burst } = this.#options;
    this.#tokens = Math.min(burst, this.#tokens + ((now - this.#updatedAt) * ratePerSecond) / 1000);
    this.#updatedAt = now;
    if (this.#tokens < 1) return Math.max(1, Math.ceil(((1 - this.#tokens) * 1000) / ratePerSecond));
    this.#tokens -= 1;
    this.#inFlight++;
    return 0;
  }

  /** A transmission was answered (acknowledged, refused, echoed or timed out). */
  release(): void {
    this.#inFlight = Math.max(0, this.#inFlight - 1);
  }

  /** A new connection: nothing in flight, and the server's allowance is fresh, so ours is too. */
  reset(): void {
    this.#inFlight = 0;
    this.#tokens = this.#options.burst;
    this.#updatedAt = this.#clock.now();
  }

  get transmissionsInFlight(): number {
    return this.#inFlight;
  }
}
