/**
 * Bounds the Redis Streams adapter's stream by age and bytes. The adapter appends every emit whole
 * (each echo, up to `maxMessageBytes`) and trims only by entry count (`maxLen`, 10,000 by default):
 * with large messages Redis holds gigabytes. Entries older than the recovery window cannot be
 * replayed, and socket.io's own recovery is bounded by `recoveryBufferBytes`: the stream is too.
 * The bytes are the entries' own, summed from the newest back (Redis's `MEMORY USAGE` samples the
 * oldest few and can be wrong by 20x); the time is Redis's, not this node's.
 */
export const TRIM_STREAM = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('XTRIM', KEYS[1], 'MINID', '~', tostring(math.max(0, now - tonumber(ARGV[1]))) .. '-0')
local budget = tonumber(ARGV[2])
local used = 0
local newer = nil
local from = '+'
while true do
  local entries = redis.call('XREVRANGE', KEYS[1], from, '-', 'COUNT', 200)
  if #entries == 0 then return 0 end
  for _, entry in ipairs(entries) do
    for _, field in ipairs(entry[2]) do used = used + #field end
    if used > budget then return redis.call('XTRIM', KEYS[1], 'MINID', newer or entry[1]) end
    newer = entry[1]
  end
  from = '(' .. newer
end`;

/** What the trim keeps, from the channel's resolved options. */
export interface StreamLimits {
  /** Entries younger than this may be replayed to a reconnecting client; older ones go. */
  windowMs: number;
  /** Most bytes the stream's entries may hold (their fields' lengths). */
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

/** The script's arguments: how long entries stay, and the byte budget. */
export function trimArguments(limits: StreamLimits): string[] {
  return [String(limits.windowMs), String(limits.maxBytes)];
}

/** The streams the Redis Streams adapter writes to: `name`, or with `count` above 1 `name-0` ... `name-<count - 1>`. */
export function streamNames(name: string, count: number): string[] {
  return count <= 1 ? [name] : Array.from({ length: count }, (_, i) => `${name}-${i}`);
}
