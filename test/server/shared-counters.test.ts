// registerSharedCounters on a timer the test fires by hand: when a node writes its counts to the store,
// and what the cluster-wide totals add to them. scale-out.test.ts shows it with real nodes and Redis.
import { describe, expect, it } from "vitest";
import { registerSharedCounters, type FlushTiming } from "../../server/state/shared-counters.js";
import { StatsCounter } from "../../server/state/stats.js";
import type { CumulativeCounts } from "../../server/state/counters.js";
import { memoryStore, type EchoStore } from "../../server/index.js";

/** The memory store, keeping what it is asked to record, with totals summed from it (as Redis's are). */
function recordingStore() {
  const inner = memoryStore()({ dedupWindowSize: 10, dedupWindowMs: 1000, messagesPerSecondPerAddress: 0, logger: { info() {}, warn() {}, error() {} } });
  const recorded: CumulativeCounts[] = [];
  const store: EchoStore = Object.assign(Object.create(inner) as EchoStore, {
    recordCounts: (counts: CumulativeCounts) => void recorded.push({ ...counts }),
    totals: async () => (recorded.length > 0 ? { ...recorded.at(-1)! } : { ...zero }),
  });
  return { store, recorded };
}
const zero: CumulativeCounts = { totalConnections: 0, echoes: 0, acked: 0, deduplicated: 0, recovered: 0, refused: 0, errors: 0 };

/** A timer fired by `tick()`; `stopped` once the counters let it go. */
function manualTimer(flushMs = 250) {
  let flush: (() => void) | undefined;
  const state = { every: 0, stopped: false };
  const timing: FlushTiming = {
    flushMs,
    every(ms, fn) {
      state.every = ms;
      flush = fn;
      return () => void (state.stopped = true);
    },
  };
  return { timing, state, tick: () => flush!() };
}

describe("registerSharedCounters", () => {
  it("writes the counts every flushMs when they changed, and only then", () => {
    const stats = new StatsCounter();
    const { store, recorded } = recordingStore();
    const timer = manualTimer(250);
    registerSharedCounters(stats, store, timer.timing);
    expect(timer.state.every).toBe(250);
    timer.tick();
    expect(recorded).toEqual([]); // nothing counted yet
    stats.echoes += 3;
    stats.totalConnections++;
    expect(recorded).toEqual([]); // counting is a plain increment: nothing is written until the timer
    timer.tick();
    expect(recorded).toEqual([{ ...zero, echoes: 3, totalConnections: 1 }]);
    timer.tick();
    expect(recorded).toHaveLength(1); // unchanged: not written again
    stats.connections++; // live, not cumulative: no reason to write
    timer.tick();
    expect(recorded).toHaveLength(1);
  });

  it("adds what this node counted since its last write to the store's totals", async () => {
    const stats = new StatsCounter();
    const { store } = recordingStore();
    const timer = manualTimer();
    const counters = registerSharedCounters(stats, store, timer.timing);
    stats.echoes = 5;
    timer.tick();
    stats.echoes = 7;
    stats.acked = 2;
    expect(await counters.totals()).toEqual({ ...zero, echoes: 7, acked: 2 });
  });

  it("writes what is left and stops its timer on dispose", () => {
    const stats = new StatsCounter();
    const { store, recorded } = recordingStore();
    const timer = manualTimer();
    const counters = registerSharedCounters(stats, store, timer.timing);
    stats.refused = 4;
    counters.dispose();
    expect(recorded).toEqual([{ ...zero, refused: 4 }]);
    expect(timer.state.stopped).toBe(true);
  });

  it("answers no totals with a store that keeps none (the memory store)", async () => {
    const inner = recordingStore();
    const counters = registerSharedCounters(new StatsCounter(), Object.getPrototypeOf(inner.store) as EchoStore, manualTimer().timing);
    expect(await counters.totals()).toBeUndefined();
    counters.dispose();
  });
});
