/** Longest wait a server's `retryAfterMs` can impose: a hostile or broken server cannot park messages for longer. */
export const MAX_RETRY_DELAY_MS = 60_000;
/** Shortest wait, so a server answering `retryAfterMs: 0` to every message cannot make the element re-send in a loop. */
export const MIN_RETRY_DELAY_MS = 100;
/** The wait when the server gives none, or one that makes no sense (negative, NaN, not a number). */
export const DEFAULT_RETRY_DELAY_MS = 1000;

/**
 * How long to hold messages back after a refusal that carried `retryAfterMs`. Clamped to
 * [100 ms, 60 s]: `setTimeout` fires at once for anything past 2^31-1 ms, which would turn a huge
 * value into a tight re-send loop. Infinity counts as "very long" (60 s).
 */
export function retryDelay(retryAfterMs: unknown): number {
  if (typeof retryAfterMs !== "number" || Number.isNaN(retryAfterMs) || retryAfterMs < 0) return DEFAULT_RETRY_DELAY_MS;
  return Math.min(MAX_RETRY_DELAY_MS, Math.max(MIN_RETRY_DELAY_MS, retryAfterMs));
}
