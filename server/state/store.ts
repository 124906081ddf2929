import { addressLimiterInMemory } from "./rate-limiter.js";
import { MemoryDedupWindow } from "./dedup.js";
import type { Logger } from "../logging/logger.js";
import type { CumulativeCounts } from "./counters.js";

/** What a store is built with: the channel's resolved limits. */
export interface StoreConfig {
  dedupWindowSize: number;
  dedupWindowMs: number;
  /** Messages a second one client address may send across its connections (and nodes); 0: no limit. */
  messagesPerSecondPerAddress: number;
  logger: Logger;
}

/**
 * A per-address allowance, as rate-limiter-flexible's limiters are: `consume` resolves when the
 * address may send, and rejects with the allowance's state (`msBeforeNext`) when it is used up, or
 * with an `Error` when it cannot tell (the message is then let through).
 */
export interface AddressLimiter {
  consume(key: string): Promise<unknown>;
}

/** This node's live connections, as the admission check keeps them. */
export interface ConnectionCounts {
  readonly total: number;
  readonly perAddress: ReadonlyMap<string, number>;
}

/** Whether the store's shared backend is reachable (always, in memory). */
export interface StoreStatus {
  /** "memory": this process only; "redis": shared by every node using the same Redis. */
  kind: "memory" | "redis";
  ok: boolean;
  /** Why shared state is unavailable, while it is. */
  error?: string;
}

/**
 * The state that must hold across a client's reconnects and, with a shared store, across nodes:
 * the de-duplication window, the per-address message allowance, per-address connection counts.
 * Calls answer synchronously when they can (in memory) and with a promise when they cannot; a
 * shared store that cannot reach its backend answers from this node's memory instead of failing.
 */
export interface EchoStore {
  /** False while a shared backend is unreachable (checked per message: must be cheap). */
  readonly reachable: boolean;
  /** Records message `id`; true when it was recorded before, within the window. */
  seenBefore(id: string): boolean | Promise<boolean>;
  /** The per-address message allowance, or undefined when there is none (the option is 0). */
  readonly addressLimiter: AddressLimiter | undefined;
  /** This node's connections from `address` changed; `connections` is this node's live count (read, never copied). */
  connectionsChanged(address: string, connections: ConnectionCounts): void;
  /** Connections from `address` across every node sharing the store, given `local` on this node. */
  connectionsFrom(address: string, local: number): number | Promise<number>;
  /** This node's counts so far (echoes, acks, ...), for the totals the store keeps. */
  recordCounts(counts: CumulativeCounts): void;
  /** Totals over every node sharing the store; undefined when it keeps none (in memory: each node's own). */
  totals(): Promise<CumulativeCounts | undefined>;
  status(): StoreStatus;
  /** Releases timers and what the store holds (not a client it was given). */
  close(): Promise<void>;
}

/** Makes the store for one attached channel; `store` options take one of these. */
export type EchoStoreFactory = (config: StoreConfig) => EchoStore;

/** The default: everything in this process's memory. */
export function memoryStore(): EchoStoreFactory {
  return (config) => new MemoryStore(config);
}

class MemoryStore implements EchoStore {
  private readonly dedup: MemoryDedupWindow;
  readonly addressLimiter: AddressLimiter | undefined;
  readonly reachable = true;

  constructor(config: StoreConfig) {
    this.dedup = new MemoryDedupWindow(config.dedupWindowSize, config.dedupWindowMs);
    this.addressLimiter = addressLimiterInMemory(config);
  }

  seenBefore(id: string): boolean {
    return this.dedup.seenBefore(id);
  }

  connectionsChanged(): void {}

  connectionsFrom(_address: string, local: number): number {
    return local;
  }

  recordCounts(): void {} // a node's own StatsCounter already holds them

  async totals(): Promise<undefined> {
    return undefined;
  }

  status(): StoreStatus {
    return { kind: "memory", ok: true };
  }

  async close(): Promise<void> {
    this.dedup.clear();
  }
}
