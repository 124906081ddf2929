import { describe, expect, it } from "vitest";
import { HalfOpenConnections, type Timing } from "../../server/half-open.js";

/** A clock the test moves by hand, with the one timer HalfOpenConnections keeps. */
function manualTiming() {
  let now = 0;
  let timer: { at: number; fn: () => void } | undefined;
  const timing: Timing = {
    now: () => now,
    after(ms, fn) {
      const entry = { at: now + ms, fn };
      timer = entry;
      return () => void (timer === entry && (timer = undefined));
    },
  };
  const advance = (ms: number): void => {
    now += ms;
    while (timer && timer.at <= now) {
      const { fn } = timer;
      timer = undefined;
      fn();
    }
  };
  return { timing, advance, pending: () => timer !== undefined };
}

describe("HalfOpenConnections", () => {
  it("expires each connection timeoutMs after it opened, oldest first, with one timer", () => {
    const { timing, advance, pending } = manualTiming();
    const expired: string[] = [];
    const halfOpen = new HalfOpenConnections<string>(1000, (c) => expired.push(c), timing);
    halfOpen.add("a");
    advance(400);
    halfOpen.add("b");
    advance(599);
    expect(expired).toEqual([]);
    advance(1);
    expect(expired).toEqual(["a"]);
    advance(399);
    expect(expired).toEqual(["a"]);
    advance(1);
    expect(expired).toEqual(["a", "b"]);
    expect(halfOpen.size).toBe(0);
    expect(pending()).toBe(false);
  });

  it("forgets a connection whose handshake completed", () => {
    const { timing, advance } = manualTiming();
    const expired: string[] = [];
    const halfOpen = new HalfOpenConnections<string>(1000, (c) => expired.push(c), timing);
    halfOpen.add("a");
    halfOpen.add("b");
    halfOpen.delete("a");
    expect(halfOpen.oldest()).toBe("b");
    advance(1000);
    expect(expired).toEqual(["b"]);
  });

  it("names the oldest, and stops its timer on dispose", () => {
    const { timing, advance, pending } = manualTiming();
    const expired: string[] = [];
    const halfOpen = new HalfOpenConnections<string>(1000, (c) => expired.push(c), timing);
    expect(halfOpen.oldest()).toBeUndefined();
    halfOpen.add("a");
    halfOpen.add("b");
    expect(halfOpen.oldest()).toBe("a");
    halfOpen.dispose();
    expect(pending()).toBe(false);
    advance(5000);
    expect(expired).toEqual([]);
  });
});
