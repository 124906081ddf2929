import { describe, expect, it } from "vitest";
import { TokenBucket } from "../../server/messages/token-bucket.js";

/** A bucket on a clock the test moves by hand. */
function bucket(ratePerSecond: number, burst: number) {
  let now = 0;
  const tokens = new TokenBucket(ratePerSecond, burst, () => now);
  return { tokens, advance: (ms: number) => void (now += ms) };
}

describe("TokenBucket", () => {
  it("gives its burst at once, then the rate, saying how long to wait", () => {
    const { tokens, advance } = bucket(1000, 3);
    expect([tokens.take(), tokens.take(), tokens.take()]).toEqual([0, 0, 0]);
    expect(tokens.take(3)).toBe(3);
    advance(2);
    expect(tokens.take(3)).toBe(1);
    advance(1);
    expect(tokens.take(3)).toBe(0);
  });

  it("never holds more than its burst however long it waits", () => {
    const { tokens, advance } = bucket(10, 2);
    advance(60_000);
    expect([tokens.take(), tokens.take(), tokens.take()]).toEqual([0, 0, 100]);
  });

  it("takes several tokens for a costly message, and at most the burst for one", () => {
    const { tokens, advance } = bucket(1000, 2000);
    expect(tokens.take(1500)).toBe(0);
    expect(tokens.take(600)).toBe(100); // 500 left: 100 ms to the 600
    advance(100);
    expect(tokens.take(600)).toBe(0);
    const small = bucket(10, 5);
    expect(small.tokens.take(1_000_000)).toBe(0); // capped at the burst: possible, once it is full
    expect(small.tokens.take(1_000_000)).toBe(500);
  });
});
