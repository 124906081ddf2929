/**
 * Bounds the Redis Streams adapter's stream by age and bytes. The adapter appends every emit whole
 * (each echo, up to `maxMessageBytes`) and trims only by entry count (`maxLen`, 10,000 by default):
 * with large messages Redis holds gigabytes. Entries older than the recovery window cannot be
 * replayed, and socket.io's own recovery is bounded by `recoveryBufferBytes`: the stream is too.
 */
export const TRIM_STREAM = `
redis.call('XTRIM', KEYS[1], 'MINID', '~', ARGV[1])
local used = redis.call('MEMORY', 'USAGE', KEYS[1], 'SAMPLES', '5')
if not used then return 0 end
local budget = tonumber(ARGV[2])
if used <= budget then return 0 end
local length = redis.call('XLEN', KEYS[1])
return redis.call('XTRIM', KEYS[1], 'MAXLEN', math.floor(length * budget / used))`;

/** What the trim keeps, from the channel's resolved options. */
export interface StreamLimits {
  /** Entries younger than this may be replayed to a reconnecting client; older ones go. */
  windowMs: number;
  /** Most bytes the stream may hold (Redis's own estimate, `MEMORY USAGE`). */
  maxBytes: number;
}

/** How long entries stay without connection state recovery: long enough for the other nodes to read them. */
const WITHOUT_RECOVERY_MS = 10_000;

/** Reads the limits from the channel's options (a store is made with them all, though typed with fewer). */
export function streamLimits(config: object): StreamLimits {
  const { recoveryWindowMs, recoveryBufferBytes } = config as { recoveryWindowMs?: unknown; recoveryBufferBytes?: unknown };
  const windowMs = typeof recoveryWindowMs === "number" && recoveryWindowMs > 0 ? recoveryWindowMs : WITHOUT_RECOVERY_MS;
  const maxBytes = typeof recoveryBufferBytes === "number" && recoveryBufferBytes > 0 ? recoveryBufferBytes : 33_554_432;
  return { windowMs, maxBytes };
}

/** The script's arguments now: the oldest stream id to keep (ids start with their time in ms), and the byte budget. */
export function trimArguments(limits: StreamLimits, now = Date.now()): string[] {
  return [`${Math.max(0, now - limits.windowMs)}-0`, String(limits.maxBytes)];
}

/** The streams the Redis Streams adapter writes to: `name`, or with `count` above 1 `name-0` ... `name-<count - 1>`. */
export function streamNames(name: string, count: number): string[] {
  return count <= 1 ? [name] : Array.from({ length: count }, (_, i) => `${name}-${i}`);
}
