import { describe, expect, it } from "vitest";
import { BINARY_VALUE_BYTES, heapBytes, measurePayload, OVERSIZE_ATTACHMENT } from "../../server/messages/payload-size.js";

/** The bytes measurePayload charges, found by the smallest limit that still lets `args` pass. */
function charged(args: unknown[]): number {
  let low = 0;
  let high = 10_000_000;
  while (low < high) {
    const mid = Math.floor((low + high) / 2);
    if (typeof measurePayload(args, mid, 1000) === "object") high = mid;
    else low = mid + 1;
  }
  return low;
}

describe("measurePayload", () => {
  it.each([
    [["hello"]],
    [[""]],
    [["한국어 👋"]],
    [[0]],
    [[123456]],
    [[-42]],
    [[1.5]],
    [[true, false, null]],
    [[[]]],
    [[{}]],
    [[[{}, {}, [], ""]]],
    [[{ a: 1, bb: "x", ccc: [1, 2, 3] }]],
    [["two", "args", 3]],
    [[Array.from({ length: 1000 }, () => ({}))]],
    [[Array.from({ length: 1000 }, () => 0)]],
  ])("charges exactly the JSON text of the arguments %j", (args) => {
    // Never more than the text the client sent (legitimate messages keep fitting), and for these
    // shapes (no escapes, short numbers) exactly it.
    // The arguments' own text: their array's two brackets belong to the packet, like the event name.
    expect(charged(args)).toBe(Buffer.byteLength(JSON.stringify(args)) - 2);
    expect(measurePayload(args, 10_000_000, 1000)).toMatchObject({ bytes: Buffer.byteLength(JSON.stringify(args)) - 2 });
  });

  it("charges containers and empty strings: a 999 KB message of {} is over a 128 KiB limit", () => {
    const empties = Array.from({ length: 333_000 }, () => ({}));
    expect(measurePayload([empties], 131_072, 32)).toBe("message_too_large");
    expect(measurePayload([Array.from({ length: 200_000 }, () => "")], 131_072, 32)).toBe("message_too_large");
  });

  it("stops at the array's length before looking inside it", () => {
    const huge: unknown[] = [];
    huge.length = 10_000_000;
    Object.defineProperty(huge, 0, { get: () => expect.unreachable("an element was read") });
    expect(measurePayload([huge], 1000, 32)).toBe("message_too_large");
  });

  it("counts binary by its bytes, and refuses the guard's stand-in for attachments past the limit", () => {
    expect(measurePayload([Buffer.alloc(5000)], 6024, 32)).toEqual({ bytes: 5000 + BINARY_VALUE_BYTES, values: 1 });
    expect(measurePayload([Buffer.alloc(5001)], 6024, 32)).toBe("message_too_large");
    expect(measurePayload([{ file: OVERSIZE_ATTACHMENT }], 1_000_000, 32)).toBe("message_too_large");
    expect(measurePayload([Buffer.alloc(0)], 2000, 32)).toEqual({ bytes: BINARY_VALUE_BYTES, values: 1 }); // an empty buffer of the client's own is fine
    // One attachment named thousands of times (socket.io-parser allows it) is thousands of frames to echo.
    const shared = Buffer.alloc(1);
    expect(measurePayload([Array.from({ length: 200 }, () => shared)], 131_072, 32)).toBe("message_too_large");
  });

  it("refuses nesting deeper than the limit", () => {
    expect(measurePayload([[[[["x"]]]]], 1000, 3)).toBe("payload_too_deep");
    expect(measurePayload([[[["x"]]]], 1000, 3)).toEqual({ bytes: 9, values: 4 });
  });
});

describe("heapBytes", () => {
  it("charges objects and array slots far above their text, and strings by their length", () => {
    const empties = Array.from({ length: 10_000 }, () => ({}));
    expect(heapBytes([empties])).toBeGreaterThan(10_000 * 56);
    expect(heapBytes(["x".repeat(1000)])).toBeGreaterThanOrEqual(2000);
    expect(heapBytes([Buffer.alloc(5000)])).toBeGreaterThan(5000);
  });
});
