import { CUMULATIVE_KEYS, emptyCounts, type CumulativeCounts } from "./counters.js";
import type { StatsCounter } from "./stats.js";
import type { EchoStore } from "./store.js";

/** How often this node writes its counts to the store: counting itself stays a plain increment. */
const FLUSH_MS = 1000;

/** When the counts are written; attach uses the defaults, a test passes a timer it fires by hand. */
export interface FlushTiming {
  flushMs: number;
  /** Calls `flush` every `ms`; returns what stops it. */
  every(ms: number, flush: () => void): () => void;
}

const REAL_TIMING: FlushTiming = {
  flushMs: FLUSH_MS,
  every(ms, flush) {
    const timer = setInterval(flush, ms).unref();
    return () => clearInterval(timer);
  },
};

/**
 * Writes this node's counts to the store every `flushMs` (a second) when they changed (a shared store
 * keeps them past the node's life), and reads the cluster-wide totals back with what is not written yet.
 */
export function registerSharedCounters(stats: StatsCounter, store: EchoStore, timing: FlushTiming = REAL_TIMING) {
  const written = emptyCounts();
  const current = (): CumulativeCounts => {
    const counts = emptyCounts();
    for (const key of CUMULATIVE_KEYS) counts[key] = stats[key];
    return counts;
  };
  const flush = (): void => {
    const counts = current();
    if (CUMULATIVE_KEYS.every((key) => counts[key] === written[key])) return;
    store.recordCounts(counts);
    Object.assign(written, counts);
  };
  const stop = timing.every(timing.flushMs, flush);
  return {
    /** The store's totals plus what this node counted since its last write; undefined when the store keeps none. */
    async totals(): Promise<CumulativeCounts | undefined> {
      const stored = await store.totals();
      if (!stored) return undefined;
      for (const key of CUMULATIVE_KEYS) stored[key] += stats[key] - written[key];
      return stored;
    },
    /** Writes what is left and stops. */
    dispose(): void {
      stop();
      flush();
    },
  };
}
