import { describe, expect, it } from "vitest";
import { HalfOpenConnections, type Timing } from "../../server/admission/half-open.js";

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
    halfOpen.add("a", "1.1.1.1");
    advance(400);
    halfOpen.add("b", "2.2.2.2");
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
    halfOpen.add("a", "1.1.1.1");
    halfOpen.add("b", "2.2.2.2");
    halfOpen.delete("a");
    expect(halfOpen.oldest()).toBe("b");
    advance(1000);
    expect(expired).toEqual(["b"]);
  });

  it("names the oldest from one address", () => {
    const halfOpen = new HalfOpenConnections<string>(1000, () => {}, manualTiming().timing);
    halfOpen.add("a1", "A");
    halfOpen.add("b1", "B");
    halfOpen.add("a2", "A");
    expect([halfOpen.oldest("A"), halfOpen.oldest("B"), halfOpen.oldest("C")]).toEqual(["a1", "b1", undefined]);
    halfOpen.delete("a1");
    halfOpen.delete("b1");
    expect([halfOpen.oldest("A"), halfOpen.oldest("B"), halfOpen.oldest()]).toEqual(["a2", undefined, "a2"]);
  });

  it("names the oldest, and stops its timer on dispose", () => {
    const { timing, advance, pending } = manualTiming();
    const expired: string[] = [];
    const halfOpen = new HalfOpenConnections<string>(1000, (c) => expired.push(c), timing);
    expect(halfOpen.oldest()).toBeUndefined();
    halfOpen.add("a", "1.1.1.1");
    halfOpen.add("b", "2.2.2.2");
    expect(halfOpen.oldest()).toBe("a");
    halfOpen.dispose();
    expect(pending()).toBe(false);
    advance(5000);
    expect(expired).toEqual([]);
  });
});
