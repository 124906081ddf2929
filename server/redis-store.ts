import { createHash, randomBytes } from "node:crypto";
import { RateLimiterRedis, type RateLimiterAbstract } from "rate-limiter-flexible";
import { MemoryDedupWindow } from "./dedup.js";
import { optionError } from "./errors.js";
import { CUMULATIVE_KEYS, emptyCounts, type CumulativeCounts } from "./shared-counters.js";
import { addressLimiterInMemory, type ConnectionCounts, type EchoStore, type EchoStoreFactory, type StoreConfig, type StoreStatus } from "./store.js";
import { checkKnownKeys, checkOptionsObject, checkWholeNumber } from "./validate.js";

/**
 * The part of a `redis` (node-redis v4 or later) client the store uses. The store sends nothing
 * while the client is not ready, so the client's offline queue never holds a message up.
 */
export interface RedisClientLike {
  readonly isReady: boolean;
  sendCommand(args: string[]): Promise<unknown>;
  on(event: "ready" | "error" | "end", listener: (...args: any[]) => void): unknown;
  off(event: "ready" | "error" | "end", listener: (...args: any[]) => void): unknown;
}

/** Options of `redisStore()`. */
export interface RedisStoreOptions {
  /** A connected `redis` client (node-redis v4 or later). The store never closes it. */
  client: RedisClientLike;
  /**
   * Prefix of every key the store writes; nodes sharing a prefix share state.
   * @default "echo-socket"
   */
  keyPrefix: string;
  /**
   * Milliseconds to wait for Redis before a call answers from this node's memory.
   * @default 500
   */
  commandTimeoutMs: number;
}

/** How often a node renews its connection counts in Redis; they expire 3 periods after a node dies. */
const HEARTBEAT_MS = 5_000;
const TOTAL_FIELD = "#total";

// Sums one address's connections over the nodes still alive (a dead node's hash has expired).
const SUM_CONNECTIONS = `
local total = 0
for _, node in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local count = redis.call('HGET', ARGV[1] .. node, ARGV[2])
  if count then total = total + tonumber(count)
  elseif redis.call('EXISTS', ARGV[1] .. node) == 0 then redis.call('SREM', KEYS[1], node) end
end
return total`;

// Records a message id in one sorted set scored by expiry: the window is bounded by time and by
// `dedupWindowSize` ids across the whole cluster (oldest out first), as the memory window is per node.
const RECORD_ID = `
local now = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local added = redis.call('ZADD', KEYS[1], 'NX', now + tonumber(ARGV[3]), ARGV[1])
if added == 1 then
  local excess = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[4])
  if excess > 0 then redis.call('ZREMRANGEBYRANK', KEYS[1], 0, excess - 1) end
end
return added`;

// Sums each counter over every node that counted (dead ones too, until their counts expire).
const SUM_COUNTS = `
local sums = {}
for i = 2, #ARGV do sums[i - 1] = 0 end
for _, node in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local values = redis.call('HMGET', ARGV[1] .. node, unpack(ARGV, 2))
  if redis.call('EXISTS', ARGV[1] .. node) == 0 then redis.call('SREM', KEYS[1], node) end
  for i, value in ipairs(values) do sums[i] = sums[i] + (tonumber(value) or 0) end
end
return sums`;

/** How long a node's counts stay in Redis after its last write (they count in the totals until then). */
const COUNTS_KEPT_MS = 30 * 24 * 3600 * 1000;

const SHAS: Record<string, string> = {};

/**
 * Shared state in Redis, for several echo-socket nodes: a message re-sent to another node after a
 * failover is recognised, and the per-address limits count every node. While Redis is unreachable
 * each node answers from its own memory (and says so in health and its log); when Redis returns,
 * the node writes its connection counts back and shared state resumes.
 */
export function redisStore(options: Partial<RedisStoreOptions> & Pick<RedisStoreOptions, "client">): EchoStoreFactory {
  const given = checkOptionsObject("redisStore options", options);
  checkKnownKeys(given, ["client", "keyPrefix", "commandTimeoutMs"]);
  const client = given.client as RedisClientLike;
  if (typeof client !== "object" || client === null || typeof client.sendCommand !== "function" || typeof client.on !== "function") {
    throw optionError("client", "must be a client from the `redis` package (node-redis v4 or later)", client);
  }
  const keyPrefix = given.keyPrefix ?? "echo-socket";
  if (typeof keyPrefix !== "string" || keyPrefix.length === 0) throw optionError("keyPrefix", "must be a non-empty string", keyPrefix);
  const commandTimeoutMs = checkWholeNumber("commandTimeoutMs", given.commandTimeoutMs ?? 500, 1);
  return (config) => new RedisStore({ client, keyPrefix, commandTimeoutMs }, config);
}

class RedisStore implements EchoStore {
  private readonly node = randomBytes(6).toString("hex");
  private readonly nodesKey: string;
  private readonly dedupKey: string;
  private readonly countsPrefix: string;
  private readonly countedKey: string;
  /** This node's counts as last recorded, written again whenever Redis returns. */
  private lastCounts: CumulativeCounts | undefined;
  private readonly nodePrefix: string;
  /** Always kept too: it answers while Redis is away, and knows what this node saw before. */
  private readonly localDedup: MemoryDedupWindow;
  readonly addressLimiter: RateLimiterAbstract | undefined;
  /** This node's live connections (the admission check's own counts): written back when Redis returns. */
  private connections: ConnectionCounts = { total: 0, perAddress: new Map() };
  private lastError: string | undefined;
  private readonly heartbeat: ReturnType<typeof setInterval>;
  private readonly onReady = (): void => {
    if (this.lastError !== undefined) this.config.logger.info("Redis reachable again: shared state resumed");
    this.lastError = undefined;
    this.writeCounts();
    if (this.lastCounts) this.recordCounts(this.lastCounts);
  };
  private readonly onError = (error: unknown): void => this.failed(error);

  constructor(
    private readonly redis: RedisStoreOptions,
    private readonly config: StoreConfig,
  ) {
    this.nodesKey = `${redis.keyPrefix}:nodes`;
    this.dedupKey = `${redis.keyPrefix}:dedup`;
    this.countsPrefix = `${redis.keyPrefix}:counts:`;
    this.countedKey = `${redis.keyPrefix}:counted`;
    this.nodePrefix = `${redis.keyPrefix}:connections:`;
    this.localDedup = new MemoryDedupWindow(config.dedupWindowSize, config.dedupWindowMs);
    const insuranceLimiter = addressLimiterInMemory(config);
    this.addressLimiter = insuranceLimiter && new RateLimiterRedis({
      storeClient: redis.client,
      useRedisPackage: true,
      rejectIfRedisNotReady: true,
      keyPrefix: `${redis.keyPrefix}:rate`,
      points: config.messagesPerSecondPerAddress,
      duration: 1,
      insuranceLimiter, // rate-limiter-flexible's own fallback while Redis is away
    });
    redis.client.on("ready", this.onReady);
    redis.client.on("error", this.onError);
    this.heartbeat = setInterval(() => this.renew(), HEARTBEAT_MS).unref();
    this.writeCounts();
  }

  get reachable(): boolean {
    return this.redis.client.isReady;
  }

  seenBefore(id: string): boolean | Promise<boolean> {
    const seenHere = this.localDedup.seenBefore(id);
    if (seenHere || !this.redis.client.isReady) return seenHere;
    const { dedupWindowMs, dedupWindowSize } = this.config;
    return this.script(RECORD_ID, [this.dedupKey], [id, String(Date.now()), String(dedupWindowMs), String(dedupWindowSize)]).then(
      (added) => Number(added) === 0,
      () => false,
    );
  }

  connectionsChanged(address: string, connections: ConnectionCounts): void {
    this.connections = connections;
    if (!this.redis.client.isReady) return;
    const key = this.nodePrefix + this.node;
    const count = connections.perAddress.get(address) ?? 0;
    const total = String(connections.total);
    const write = count > 0 ? ["HSET", key, address, String(count), TOTAL_FIELD, total] : ["HDEL", key, address];
    this.command(write).catch(() => {});
    if (count === 0) this.command(["HSET", key, TOTAL_FIELD, total]).catch(() => {});
  }

  connectionsFrom(address: string, local: number): number | Promise<number> {
    if (!this.redis.client.isReady) return local;
    return this.script(SUM_CONNECTIONS, [this.nodesKey], [this.nodePrefix, address]).then(
      (sum) => Math.max(Number(sum), local),
      () => local,
    );
  }

  recordCounts(counts: CumulativeCounts): void {
    this.lastCounts = counts;
    if (!this.redis.client.isReady) return; // written again when Redis is back (onReady)
    // Absolute values, per node: writing them again is harmless, and they come back after Redis restarts empty.
    const key = this.countsPrefix + this.node;
    const fields = CUMULATIVE_KEYS.flatMap((name) => [name, String(counts[name])]);
    Promise.all([
      this.command(["HSET", key, ...fields]),
      this.command(["PEXPIRE", key, String(COUNTS_KEPT_MS)]),
      this.command(["SADD", this.countedKey, this.node]),
    ]).catch(() => {});
  }

  async totals(): Promise<CumulativeCounts | undefined> {
    if (!this.redis.client.isReady) return undefined;
    const reply = await this.script(SUM_COUNTS, [this.countedKey], [this.countsPrefix, ...CUMULATIVE_KEYS]).catch(() => undefined);
    if (!Array.isArray(reply)) return undefined;
    const totals = emptyCounts();
    CUMULATIVE_KEYS.forEach((name, i) => (totals[name] = Number(reply[i]) || 0));
    return totals;
  }

  status(): StoreStatus {
    const ok = this.redis.client.isReady && this.lastError === undefined;
    return ok ? { kind: "redis", ok } : { kind: "redis", ok, error: this.lastError ?? "Redis client not connected" };
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    this.redis.client.off("ready", this.onReady);
    this.redis.client.off("error", this.onError);
    this.localDedup.clear();
    if (this.redis.client.isReady) {
      await Promise.all([this.command(["DEL", this.nodePrefix + this.node]), this.command(["SREM", this.nodesKey, this.node])]).catch(() => {});
    }
  }

  /** Writes this node's whole connection-count hash (on start and whenever Redis returns). */
  private writeCounts(): void {
    if (!this.redis.client.isReady) return;
    const key = this.nodePrefix + this.node;
    const fields = [TOTAL_FIELD, String(this.connections.total)];
    for (const [address, count] of this.connections.perAddress) fields.push(address, String(count));
    Promise.all([
      this.command(["DEL", key]),
      this.command(["HSET", key, ...fields]),
      this.command(["PEXPIRE", key, String(3 * HEARTBEAT_MS)]),
      this.command(["SADD", this.nodesKey, this.node]),
    ]).catch(() => {});
  }

  private renew(): void {
    if (!this.redis.client.isReady) return;
    // A hash that expired while this node was cut off is written whole again.
    this.command(["PEXPIRE", this.nodePrefix + this.node, String(3 * HEARTBEAT_MS)])
      .then((renewed) => (Number(renewed) === 1 ? this.command(["SADD", this.nodesKey, this.node]) : this.writeCounts()))
      .catch(() => {});
  }

  /** Runs a Lua script by its SHA1 (sent whole only when Redis does not know it yet, as after a restart). */
  private script(source: string, keys: string[], args: string[]): Promise<unknown> {
    const sha = (SHAS[source] ??= createHash("sha1").update(source).digest("hex"));
    const tail = [String(keys.length), ...keys, ...args];
    return this.command(["EVALSHA", sha, ...tail]).catch((error: unknown) => {
      if (!String(error instanceof Error ? error.message : error).startsWith("NOSCRIPT")) throw error;
      return this.command(["EVAL", source, ...tail]);
    });
  }

  /** One Redis command, given up after `commandTimeoutMs`; a failure is logged once per outage. */
  private command(args: string[]): Promise<unknown> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const noReply = new Error(`no reply within ${this.redis.commandTimeoutMs} ms`);
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(noReply), this.redis.commandTimeoutMs).unref();
    });
    return Promise.race([this.redis.client.sendCommand(args), timeout]).then(
      (reply) => {
        clearTimeout(timer);
        if (this.lastError !== undefined) this.onReady(); // answered again without a reconnect
        return reply;
      },
      (error: unknown) => {
        clearTimeout(timer);
        // An error reply (NOSCRIPT, say) means Redis answered: only silence or a lost connection is an outage.
        if (error === noReply || !this.redis.client.isReady) this.failed(error);
        throw error;
      },
    );
  }

  private failed(error: unknown): void {
    if (this.lastError !== undefined) return;
    this.lastError = `Redis unavailable: ${error instanceof Error ? error.message : String(error)}`;
    this.config.logger.error(`${this.lastError}; de-duplication and limits use this node's memory until it returns`);
  }
}

