// The client's defaults and limits for delivery: one place, for `resolveOptions` and the element.

/** Milliseconds to wait for a message's acknowledgement before re-sending it. */
export const DEFAULT_ACK_TIMEOUT_MS = 10_000;
/** Re-sends after acknowledgement timeouts before a message is `failed`. */
export const DEFAULT_RETRIES = 3;
/** Messages held while offline (see `EchoClientOptions.maxQueued`). */
export const DEFAULT_MAX_QUEUED = 100;
/** Longest timer a runtime holds (2^31 - 1 ms); a longer one fires at once. */
export const MAX_TIMER_MS = 2_147_483_647;
/** Most re-sends of one message: past that it is a re-send loop, not patience. */
export const MAX_RETRIES = 100;
