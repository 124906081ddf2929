// rate-limiter-flexible is an optional peer dependency: only `messagesPerSecondPerAddress` (off by
// default) uses it, so it is loaded when a store makes that allowance, with a clear error without it
// (as prom-client is for `metrics`). Its types stay out of the package's public declarations.
import { createRequire } from "node:module";
import type { RateLimiterMemory } from "rate-limiter-flexible";

type RateLimiterFlexible = typeof import("rate-limiter-flexible");

let loaded: RateLimiterFlexible | undefined;

/** rate-limiter-flexible, or an error naming it and the command that installs it. */
export function rateLimiterFlexible(): RateLimiterFlexible {
  if (loaded) return loaded;
  try {
    loaded = createRequire(import.meta.url)("rate-limiter-flexible") as RateLimiterFlexible;
    return loaded;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "MODULE_NOT_FOUND") throw error;
    throw new Error("echo-socket: `messagesPerSecondPerAddress` needs rate-limiter-flexible, an optional peer dependency: npm install rate-limiter-flexible", {
      cause: error,
    });
  }
}

/** rate-limiter-flexible's in-memory limiter for the per-address allowance (also Redis's stand-in). */
export function addressLimiterInMemory(config: { messagesPerSecondPerAddress: number }): RateLimiterMemory | undefined {
  const points = config.messagesPerSecondPerAddress;
  return points > 0 ? new (rateLimiterFlexible().RateLimiterMemory)({ keyPrefix: "echo-socket-address", points, duration: 1 }) : undefined;
}
