import { createHash, randomBytes } from "node:crypto";
import { MemoryDedupWindow } from "./dedup.js";
import { optionError } from "../../protocol/option-error.js";
import { guardDroppedCommands } from "./redis-client-guard.js";
import { addressLimiterInMemory, rateLimiterFlexible } from "./rate-limiter.js";
import { streamLimits, streamNames, TRIM_STREAM, trimArguments, type StreamLimits } from "../recovery/redis-stream-trim.js";
import { CUMULATIVE_KEYS, emptyCounts, type CumulativeCounts } from "./counters.js";
import type { AddressLimiter, ConnectionCounts, EchoStore, EchoStoreFactory, StoreConfig, StoreStatus } from "./store.js";
import { checkKnownKeys, checkOptionsObject, checkWholeNumber } from "../options/validate.js";

/**
 * The part of a `redis` (node-redis v4 or later) client the store uses. The store sends nothing
 * while the client is not ready, so the client's offline queue never holds a message up.
 */
export interface RedisClientLike {
  readonly isReady: boolean;
  sendCommand(args: string[]): Promise<unknown>;
  // biome-ignore lint/suspicious/noExplicitAny: node-redis's and ioredis's listeners differ in their argument types
  on(event: "ready" | "error" | "end", listener: (...args: any[]) => void): unknown;
  // biome-ignore lint/suspicious/noExplicitAny: node-redis's and ioredis's listeners differ in their argument types
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
  /**
   * The Redis Streams adapter's stream (its `streamName` option), trimmed to the recovery window and
   * `recoveryBufferBytes`; "" leaves it alone (no such adapter, or it is trimmed elsewhere).
   * @default "socket.io"
   */
  streamName: string;
  /**
   * The adapter's `streamCount` option: above 1 the adapter writes to `<streamName>-0` ... `-<streamCount - 1>`,
   * and each of them is trimmed.
   * @default 1
   */
  streamCount: number;
}

/** How often a node renews its connection counts in Redis; they expire 3 periods after a node dies. */
const HEARTBEAT_MS = 5_000;
/**
 * The connection hash's fields: addresses under "a:", the node's total apart, so no address (with
 * `trustProxy`, whatever a client puts in X-Forwarded-For) can be taken for it.
 */
const TOTAL_FIELD = "total";
const ADDRESS_FIELD = "a:";
/** How often the stream is trimmed (by every node: the trim is idempotent). */
const TRIM_MS = 1_000;

// Sums one address's connections over the nodes still alive (a dead node's hash has expired).
const SUM_CONNECTIONS = `
local total = 0
for _, node in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local count = redis.call('HGET', ARGV[1] .. node, ARGV[3] .. ARGV[2])
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
  checkKnownKeys(given, ["client", "keyPrefix", "commandTimeoutMs", "streamName", "streamCount"]);
  const client = given.client as RedisClientLike;
  if (typeof client !== "object" || client === null || typeof client.sendCommand !== "function" || typeof client.on !== "function") {
    throw optionError("client", "must be a client from the `redis` package (node-redis v4 or later)", client);
  }
  const keyPrefix = given.keyPrefix ?? "echo-socket";
  if (typeof keyPrefix !== "string" || keyPrefix.length === 0) throw optionError("keyPrefix", "must be a non-empty string", keyPrefix);
  const commandTimeoutMs = checkWholeNumber("commandTimeoutMs", given.commandTimeoutMs ?? 500, 1);
  const streamName = given.streamName ?? "socket.io";
  if (typeof streamName !== "string") throw optionError("streamName", 'must be a string (the adapter\'s stream, or "" for none)', streamName);
  const streamCount = checkWholeNumber("streamCount", given.streamCount ?? 1, 1, 1024);
  return (config) => new RedisStore({ client, keyPrefix, commandTimeoutMs, streamName, streamCount }, config);
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
  readonly addressLimiter: AddressLimiter | undefined;
  /** This node's live connections (the admission check's own counts): written back when Redis returns. */
  private connections: ConnectionCounts = { total: 0, perAddress: new Map() };
  private lastError: string | undefined;
  private readonly heartbeat: ReturnType<typeof setInterval>;
  /** Pings Redis: a reply later than `commandTimeoutMs` marks it unreachable until one comes back in time. */
  private readonly prober: ReturnType<typeof setInterval>;
  private probing = false;
  /** The probe's "no reply in time" timer, while a PING is out (cleared by `close()` too). */
  private probeTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly trimmer: ReturnType<typeof setInterval> | undefined;
  private readonly stream: StreamLimits;
  /** After `close()`, nothing the store set going (a late PING reply, a timer) does anything. */
  private closed = false;
  /** How to give up each command not yet answered or timed out: `close()` does, so no timer outlives it. */
  private readonly pending = new Set<() => void>();
  private readonly release: () => void;
  /** Failures of commands the Redis Streams adapter sent and never waited on (a session save, a PUBLISH). */
  droppedCommandErrors = 0;
  /** What the store's own listeners and timers threw: caught here, so none reaches the client's emitter or the process. */
  caughtErrors = 0;
  private readonly onReady = this.guarded("its ready listener", (): void => {
    if (this.closed) return;
    if (this.lastError !== undefined) this.config.logger.info("Redis reachable again: shared state resumed");
    this.lastError = undefined;
    this.writeCounts();
    if (this.lastCounts) this.recordCounts(this.lastCounts);
  });
  private readonly onError = this.guarded("its error listener", (error: unknown): void => this.failed(error));

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
    const redisLimiter =
      insuranceLimiter &&
      new (rateLimiterFlexible().RateLimiterRedis)({
        storeClient: redis.client,
        useRedisPackage: true,
        rejectIfRedisNotReady: true,
        keyPrefix: `${redis.keyPrefix}:rate`,
        points: config.messagesPerSecondPerAddress,
        duration: 1,
        insuranceLimiter, // rate-limiter-flexible's own fallback while Redis is away
      });
    this.addressLimiter = insuranceLimiter && redisLimiter && this.limiterThatGivesUp(redisLimiter, insuranceLimiter);
    redis.client.on("ready", this.onReady);
    redis.client.on("error", this.onError);
    this.heartbeat = setInterval(
      this.guarded("its heartbeat", () => this.renew()),
      HEARTBEAT_MS,
    ).unref();
    const probeMs = Math.max(50, Math.floor(redis.commandTimeoutMs / 2));
    this.prober = setInterval(
      this.guarded("its probe", () => this.probe()),
      probeMs,
    ).unref();
    this.stream = streamLimits(config);
    this.trimmer = redis.streamName
      ? setInterval(
          this.guarded("its stream trim", () => this.trimStreams()),
          TRIM_MS,
        ).unref()
      : undefined;
    this.release = guardDroppedCommands(
      redis.client,
      this.guarded("its dropped-command count", (error: unknown) => {
        // Logged once: in a stall every session save fails; the probe is what tells the outage.
        if (this.droppedCommandErrors++ === 0)
          this.config.logger.warn(`a Redis command the adapter does not wait on failed (counted, not thrown): ${String(error)}`);
      }),
    );
    this.writeCounts();
  }

  /** False while the client is disconnected, and while Redis is silent past `commandTimeoutMs` (a stall). */
  get reachable(): boolean {
    return !this.closed && this.redis.client.isReady && this.lastError === undefined;
  }

  seenBefore(id: string): boolean | Promise<boolean> {
    const seenHere = this.localDedup.seenBefore(id);
    if (seenHere || !this.reachable) return seenHere;
    const { dedupWindowMs, dedupWindowSize } = this.config;
    return this.script(RECORD_ID, [this.dedupKey], [id, String(Date.now()), String(dedupWindowMs), String(dedupWindowSize)]).then(
      (added) => Number(added) === 0,
      () => false,
    );
  }

  connectionsChanged(address: string, connections: ConnectionCounts): void {
    this.connections = connections;
    if (!this.reachable) return;
    const key = this.nodePrefix + this.node;
    const count = connections.perAddress.get(address) ?? 0;
    const total = String(connections.total);
    const field = ADDRESS_FIELD + address;
    const write = count > 0 ? ["HSET", key, field, String(count), TOTAL_FIELD, total] : ["HDEL", key, field];
    this.command(write).catch(() => {});
    if (count === 0) this.command(["HSET", key, TOTAL_FIELD, total]).catch(() => {});
  }

  connectionsFrom(address: string, local: number): number | Promise<number> {
    if (!this.reachable) return local;
    return this.script(SUM_CONNECTIONS, [this.nodesKey], [this.nodePrefix, address, ADDRESS_FIELD]).then(
      (sum) => Math.max(Number(sum), local),
      () => local,
    );
  }

  recordCounts(counts: CumulativeCounts): void {
    this.lastCounts = counts;
    if (!this.reachable) return; // written again when Redis is back (onReady)
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
    if (!this.reachable) return undefined;
    const reply = await this.script(SUM_COUNTS, [this.countedKey], [this.countsPrefix, ...CUMULATIVE_KEYS]).catch(() => undefined);
    if (!Array.isArray(reply)) return undefined;
    const totals = emptyCounts();
    CUMULATIVE_KEYS.forEach((name, i) => (totals[name] = Number(reply[i]) || 0));
    return totals;
  }

  status(): StoreStatus {
    const ok = this.reachable;
    return ok ? { kind: "redis", ok } : { kind: "redis", ok, error: this.lastError ?? "Redis client not connected" };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    const wasReachable = this.reachable;
    this.closed = true;
    clearInterval(this.heartbeat);
    clearInterval(this.prober);
    clearInterval(this.trimmer);
    clearTimeout(this.probeTimer); // a PING still out is ignored when it returns (`closed`)
    this.redis.client.off("ready", this.onReady);
    this.redis.client.off("error", this.onError);
    this.release();
    this.localDedup.clear();
    for (const giveUp of [...this.pending]) giveUp();
    // Writes already sent reach Redis before these (one connection, in order): none re-creates what DEL removes.
    if (wasReachable && this.redis.client.isReady && this.lastError === undefined) {
      await Promise.all([this.command(["DEL", this.nodePrefix + this.node]), this.command(["SREM", this.nodesKey, this.node])]).catch(() => {});
    }
  }

  /** Writes this node's whole connection-count hash (on start and whenever Redis returns). */
  private writeCounts(): void {
    if (!this.reachable) return;
    const key = this.nodePrefix + this.node;
    const fields = [TOTAL_FIELD, String(this.connections.total)];
    for (const [address, count] of this.connections.perAddress) fields.push(ADDRESS_FIELD + address, String(count));
    Promise.all([
      this.command(["DEL", key]),
      this.command(["HSET", key, ...fields]),
      this.command(["PEXPIRE", key, String(3 * HEARTBEAT_MS)]),
      this.command(["SADD", this.nodesKey, this.node]),
    ]).catch(() => {});
  }

  private renew(): void {
    if (!this.reachable) return;
    // A hash that expired while this node was cut off is written whole again.
    this.command(["PEXPIRE", this.nodePrefix + this.node, String(3 * HEARTBEAT_MS)])
      .then((renewed) => (Number(renewed) === 1 ? this.command(["SADD", this.nodesKey, this.node]) : this.writeCounts()))
      .catch(() => {});
  }

  /**
   * The shared allowance, answered from this node's memory while Redis is unreachable or silent past
   * `commandTimeoutMs`: rate-limiter-flexible sees only a disconnected client, and a command already
   * written waits out a whole stall (holding every later message of that connection behind it).
   */
  private limiterThatGivesUp(shared: AddressLimiter, local: AddressLimiter): AddressLimiter {
    const { commandTimeoutMs } = this.redis;
    return {
      consume: (key) => {
        if (!this.reachable) return local.consume(key);
        let timer: ReturnType<typeof setTimeout> | undefined;
        const noReply = new Error(`no reply within ${commandTimeoutMs} ms`);
        const late = new Promise<never>((_, reject) => void (timer = setTimeout(() => reject(noReply), commandTimeoutMs).unref()));
        return Promise.race([shared.consume(key), late]).then(
          (allowed) => {
            clearTimeout(timer);
            return allowed;
          },
          (refusal: unknown) => {
            clearTimeout(timer);
            if (refusal !== noReply) throw refusal;
            this.failed(noReply);
            return local.consume(key);
          },
        );
      },
    };
  }

  /**
   * One PING at a time, outside `command()`: while Redis is stalled the PING waits in the client's
   * queue, and its late reply (or the next one in time) is what says Redis is back.
   */
  private probe(): void {
    if (this.closed || this.probing || !this.redis.client.isReady) return;
    this.probing = true;
    const { commandTimeoutMs } = this.redis;
    const noReply = new Error(`no reply within ${commandTimeoutMs} ms`);
    this.probeTimer = setTimeout(
      this.guarded("its probe timeout", () => this.failed(noReply)),
      commandTimeoutMs,
    ).unref();
    const done = (): void => {
      clearTimeout(this.probeTimer);
      this.probeTimer = undefined;
      this.probing = false;
    };
    const sentAt = performance.now();
    this.redis.client.sendCommand(["PING"]).then(
      this.guarded("its probe", () => {
        done();
        // Only a reply in time says Redis is back: a late one (a PING queued through a stall) would flap.
        const inTime = performance.now() - sentAt <= commandTimeoutMs;
        if (inTime && this.lastError !== undefined && this.redis.client.isReady) this.onReady();
      }),
      this.guarded("its probe", (error: unknown) => {
        done();
        this.failed(error);
      }),
    );
  }

  /** Every stream the adapter writes to (`streamCount` of them), each on its own. */
  private trimStreams(): void {
    if (!this.reachable) return;
    const args = trimArguments(this.stream);
    for (const name of streamNames(this.redis.streamName, this.redis.streamCount)) this.script(TRIM_STREAM, [name], args).catch(() => {});
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
    const noReply = new Error(`no reply within ${this.redis.commandTimeoutMs} ms`);
    let reject!: (error: Error) => void;
    const timeout = new Promise<never>((_, fail) => (reject = fail));
    const timer = setTimeout(() => reject(noReply), this.redis.commandTimeoutMs).unref();
    const giveUp = (): void => {
      clearTimeout(timer);
      reject(new Error("the store is closed"));
    };
    this.pending.add(giveUp);
    return Promise.race([this.redis.client.sendCommand(args), timeout]).then(
      (reply) => {
        this.pending.delete(giveUp);
        clearTimeout(timer);
        if (this.lastError !== undefined) this.onReady(); // answered again without a reconnect
        return reply;
      },
      (error: unknown) => {
        this.pending.delete(giveUp);
        clearTimeout(timer);
        // An error reply (NOSCRIPT, say) means Redis answered: only silence or a lost connection is an outage.
        if (error === noReply || !this.redis.client.isReady) this.failed(error);
        throw error;
      },
    );
  }

  private failed(error: unknown): void {
    if (this.closed || this.lastError !== undefined) return;
    this.lastError = `Redis unavailable: ${error instanceof Error ? error.message : String(error)}`;
    this.config.logger.error(`${this.lastError}; de-duplication and limits use this node's memory until it returns`);
  }

  /** `fn`, made unable to throw: what it throws is counted in `caughtErrors` and logged the first time. */
  private guarded<A extends unknown[]>(what: string, fn: (...args: A) => void): (...args: A) => void {
    return (...args) => {
      try {
        fn(...args);
      } catch (error) {
        if (this.caughtErrors++ > 0) return;
        try {
          this.config.logger.error(`the Redis store's ${what} threw (counted, not rethrown): ${String(error)}`);
        } catch {
          // a logger that throws is counted already
        }
      }
    };
  }
}
