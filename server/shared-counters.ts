import type { EchoStats, StatsCounter } from "./stats.js";
import type { EchoStore } from "./store.js";

/** The counters that only grow (every figure but the live `connections`). */
export type CumulativeCounts = Omit<EchoStats, "connections">;

export const CUMULATIVE_KEYS: readonly (keyof CumulativeCounts)[] = ["totalConnections", "echoes", "acked", "deduplicated", "recovered", "refused"];

export function emptyCounts(): CumulativeCounts {
  return { totalConnections: 0, echoes: 0, acked: 0, deduplicated: 0, recovered: 0, refused: 0 };
}

/** How often this node adds what it counted to the store's totals: counting stays a plain increment. */
const FLUSH_MS = 1000;

/**
 * Adds this node's counts to the store's cluster-wide totals once a second (a shared store keeps them
 * past the node's life), and reads the totals back with what is not yet flushed.
 */
export function registerSharedCounters(stats: StatsCounter, store: EchoStore) {
  const flushed = emptyCounts();
  const pending = (): CumulativeCounts => {
    const delta = { ...flushed };
    for (const key of CUMULATIVE_KEYS) delta[key] = stats[key] - flushed[key];
    return delta;
  };
  const flush = (): void => {
    const delta = pending();
    if (CUMULATIVE_KEYS.every((key) => delta[key] === 0)) return;
    store.addCounts(delta);
    for (const key of CUMULATIVE_KEYS) flushed[key] = stats[key];
  };
  const timer = setInterval(flush, FLUSH_MS).unref();
  return {
    /** The store's totals plus this node's unflushed counts; undefined when the store keeps none. */
    async totals(): Promise<CumulativeCounts | undefined> {
      const stored = await store.totals();
      if (!stored) return undefined;
      const delta = pending();
      for (const key of CUMULATIVE_KEYS) stored[key] += delta[key];
      return stored;
    },
    /** Flushes what is left and stops. */
    dispose(): void {
      clearInterval(timer);
      flush();
    },
  };
}
