// Where a WebSocket closed before its handshake, connections long-poll: for a while, and for a few targets.
import { describe, expect, it } from "vitest";
import { isPollingOnly, markPollingOnly, POLLING_ONLY_MS, POLLING_ONLY_TARGETS } from "../../client/connection.js";
import { ManualClock } from "./manual-clock.js";

describe("targets long-polling after a WebSocket closed before its handshake", () => {
  it("long-poll for POLLING_ONLY_MS (10 minutes) on the clock, then try WebSocket again", () => {
    const clock = new ManualClock();
    clock.advance(1_000);
    const target = "http://glitch.example/socket.io";
    expect(isPollingOnly(target, clock.now())).toBe(false);
    markPollingOnly(target, clock.now());
    expect(POLLING_ONLY_MS).toBe(600_000);
    clock.advance(POLLING_ONLY_MS - 1);
    expect(isPollingOnly(target, clock.now())).toBe(true);
    clock.advance(1);
    expect(isPollingOnly(target, clock.now())).toBe(false);
    expect(isPollingOnly(target, clock.now())).toBe(false); // forgotten, not revived
  });

  it("a new glitch starts the 10 minutes again", () => {
    const clock = new ManualClock();
    const target = "http://twice.example/socket.io";
    markPollingOnly(target, clock.now());
    clock.advance(POLLING_ONLY_MS - 10);
    markPollingOnly(target, clock.now());
    clock.advance(POLLING_ONLY_MS - 1);
    expect(isPollingOnly(target, clock.now())).toBe(true);
  });

  it("remembers at most POLLING_ONLY_TARGETS targets, forgetting the one marked longest ago", () => {
    const clock = new ManualClock();
    const targets = Array.from({ length: POLLING_ONLY_TARGETS + 1 }, (_, i) => `http://many-${i}.example/socket.io`);
    for (const target of targets) {
      markPollingOnly(target, clock.now());
      clock.advance(1);
    }
    expect(POLLING_ONLY_TARGETS).toBeLessThanOrEqual(10);
    expect(isPollingOnly(targets[0]!, clock.now())).toBe(false);
    for (const target of targets.slice(1)) expect(isPollingOnly(target, clock.now())).toBe(true);
  });
});
