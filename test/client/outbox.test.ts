// The delivery engine on a manual clock: what goes on the wire, when, and every state an entry passes.
import { describe, expect, it } from "vitest";
import type { MessageEntry, MessageState } from "../../client/message-log.js";
import { LIVE_QUEUE_FACTOR, Outbox } from "../../client/outbox.js";
import { MAX_RETRY_DELAY_MS, MIN_RETRY_DELAY_MS } from "../../client/retry-delay.js";
import type { AckReply, RefusalCode } from "../../protocol/index.js";
import { ManualClock } from "./manual-clock.js";

/** An outbox whose transmissions, state changes, notices and refusals are recorded for the test to answer. */
function engine(options = { maxQueued: 100, retries: 3 }, pacing = { ratePerSecond: 800, burst: 1000, window: 32 }) {
  const clock = new ManualClock();
  const wire: Array<{ entry: MessageEntry; attempt: number }> = [];
  const changes: Array<[unknown, MessageState | undefined, MessageState]> = [];
  const notices: Array<string | undefined> = [];
  const refusals: Array<{ code: unknown; transient: boolean }> = [];
  const outbox = new Outbox(
    options,
    {
      transmit: (entry, attempt) => wire.push({ entry, attempt }),
      changed: () => {},
      notice: (text) => notices.push(text),
      entry: (entry, previous) => changes.push([entry.data, previous, entry.state]),
      refused: (_entry, error, transient) => refusals.push({ code: error.code, transient }),
    },
    clock,
    pacing,
  );
  const ack = (i: number, reply: AckReply = { ok: true, id: wire[i]!.entry.messageId }): void => outbox.onAck(wire[i]!.entry, wire[i]!.attempt, null, reply);
  const timeout = (i: number): void => outbox.onAck(wire[i]!.entry, wire[i]!.attempt, new Error("operation has timed out"));
  const echo = (entry: MessageEntry, data: unknown = entry.data) => outbox.onEcho([data, { echoSocketId: entry.messageId }]);
  const refuse = (i: number, code: RefusalCode | string, retryAfterMs?: unknown): void =>
    outbox.onAck(wire[i]!.entry, wire[i]!.attempt, null, { ok: false, error: { code, message: `refused: ${code}`, retryAfterMs } } as AckReply);
  return { clock, wire, changes, notices, refusals, outbox, ack, timeout, echo, refuse };
}

describe("the delivery engine's states", () => {
  it("takes a message queued → sent → echoed, with its round trip and no mismatch", () => {
    const { clock, wire, changes, outbox, ack, echo } = engine();
    const entry = outbox.add("hello")!;
    expect(entry.state).toBe("queued");
    outbox.setConnected(true);
    expect(wire.map(({ entry }) => entry.data)).toEqual(["hello"]);
    clock.advance(42);
    ack(0);
    expect(echo(entry)).toEqual({ entry, duplicate: false });
    expect(entry).toMatchObject({ state: "echoed", echo: "hello", rtt: 42, mismatch: false, attempts: 1 });
    expect(changes).toEqual([
      ["hello", undefined, "queued"],
      ["hello", "queued", "sent"],
      ["hello", "sent", "echoed"],
    ]);
    expect(outbox.unsent()).toEqual([]);
  });

  it("makes a received entry for an echo of nothing sent here", () => {
    const { changes, outbox } = engine();
    expect(outbox.onEcho(["from elsewhere"])).toEqual({ duplicate: false });
    const entry = outbox.received("from elsewhere");
    expect(entry.state).toBe("received");
    expect(changes).toEqual([["from elsewhere", undefined, "received"]]);
  });

  it("ignores a second echo of a delivered message", () => {
    const { outbox, echo } = engine();
    outbox.setConnected(true);
    const entry = outbox.add("once")!;
    echo(entry);
    expect(echo(entry)).toEqual({ duplicate: true });
    expect(entry.state).toBe("echoed");
  });

  it("marks an echo that differs from what was sent", () => {
    const { outbox, echo } = engine();
    outbox.setConnected(true);
    const entry = outbox.add({ a: 1, b: [2] })!;
    echo(entry, { b: [2], a: 1 }); // key order is no difference
    expect(entry.mismatch).toBe(false);
    const cut = outbox.add("abcdef")!;
    echo(cut, "abc");
    expect(cut).toMatchObject({ state: "echoed", echo: "abc", mismatch: true });
  });

  it("carries extra arguments on the entry", () => {
    const { wire, outbox } = engine();
    outbox.setConnected(true);
    outbox.add("data", [1, { two: 2 }]);
    expect(wire[0]!.entry.args).toEqual([1, { two: 2 }]);
    outbox.add("plain");
    expect(wire[1]!.entry.args).toBeUndefined();
  });
});

describe("acknowledgement timeouts", () => {
  it("re-sends after each timeout, up to `retries`, then fails, to a server that echoes ids", () => {
    const { wire, changes, outbox, timeout } = engine({ maxQueued: 100, retries: 2 });
    outbox.serverEchoesIdsConfirmed();
    outbox.setConnected(true);
    const entry = outbox.add("lost")!;
    timeout(0);
    timeout(1);
    expect(wire.map(({ attempt }) => attempt)).toEqual([1, 2, 3]);
    expect(entry.state).toBe("sent");
    timeout(2);
    expect(entry.state).toBe("failed");
    expect(wire).toHaveLength(3);
    expect(changes.map(([, , state]) => state)).toEqual(["queued", "sent", "queued", "sent", "queued", "sent", "failed"]);
  });

  it("ignores the answer of an earlier transmission", () => {
    const { wire, outbox, timeout } = engine();
    outbox.serverEchoesIdsConfirmed();
    outbox.setConnected(true);
    const entry = outbox.add("x")!;
    timeout(0);
    outbox.onAck(wire[0]!.entry, 1, new Error("late")); // attempt 1 answered after attempt 2 went out
    expect(wire).toHaveLength(2);
    expect(entry.state).toBe("sent");
  });

  it("does not re-send to a server that knows nothing of ids: the message fails", () => {
    const { wire, outbox, timeout } = engine();
    outbox.setConnected(true);
    const entry = outbox.add("to a plain server")!;
    timeout(0);
    expect(entry.state).toBe("failed");
    expect(wire).toHaveLength(1);
  });

  it("learns that the server echoes ids from an acknowledgement carrying one", () => {
    const { wire, outbox, ack, timeout } = engine();
    outbox.setConnected(true);
    const first = outbox.add("first")!;
    ack(0);
    outbox.onEcho([first.data, { echoSocketId: first.messageId }]);
    outbox.add("second");
    timeout(1);
    expect(wire.map(({ entry }) => entry.data)).toEqual(["first", "second", "second"]);
  });

  it("retries a failed message when asked, from attempt count on, and not anything else", () => {
    const { wire, outbox, timeout } = engine({ maxQueued: 100, retries: 0 });
    outbox.serverEchoesIdsConfirmed();
    outbox.setConnected(true);
    const entry = outbox.add("again")!;
    timeout(0);
    expect(entry.state).toBe("failed");
    expect(outbox.retry(entry)).toBe(true);
    expect(entry.state).toBe("sent");
    expect(wire).toHaveLength(2);
    expect(outbox.retry(entry)).toBe(false); // not failed
  });
});

describe("refusals", () => {
  for (const code of ["rate_limited", "slow_consumer"] as const) {
    it(`holds everything back after ${code} for retryAfterMs, then re-sends in order`, () => {
      const { clock, wire, notices, refusals, outbox, refuse } = engine();
      outbox.setConnected(true);
      const first = outbox.add("first")!;
      refuse(0, code, 500);
      const second = outbox.add("second")!;
      expect([first.state, second.state]).toEqual(["queued", "queued"]);
      expect(refusals).toEqual([{ code, transient: true }]);
      expect(notices).toEqual([`refused: ${code}`]);
      clock.advance(499);
      expect(wire).toHaveLength(1);
      clock.advance(1);
      expect(wire.map(({ entry }) => entry.data)).toEqual(["first", "first", "second"]);
      expect(notices.at(-1)).toBeUndefined(); // cleared once sending resumes
    });
  }

  it("clamps retryAfterMs to [100 ms, 60 s] and uses 1 s for nonsense", () => {
    const cases: Array<[unknown, number]> = [
      [1e12, MAX_RETRY_DELAY_MS],
      [Infinity, MAX_RETRY_DELAY_MS],
      [0, MIN_RETRY_DELAY_MS],
      [-5, 1000],
      [Number.NaN, 1000],
      ["5000", 1000],
      [undefined, 1000],
      [250, 250],
    ];
    for (const [given, waited] of cases) {
      const { clock, wire, outbox, refuse } = engine();
      outbox.setConnected(true);
      outbox.add("x");
      refuse(0, "rate_limited", given);
      expect(clock.delays.at(-1), String(given)).toBe(waited);
      clock.advance(waited - 1);
      expect(wire, String(given)).toHaveLength(1);
      clock.advance(1);
      expect(wire, String(given)).toHaveLength(2);
    }
  });

  it("keeps a message refused with shutting_down for the next connection (or at most MAX_RETRY_DELAY_MS)", () => {
    const { clock, wire, outbox, refuse } = engine();
    outbox.setConnected(true);
    const entry = outbox.add("x")!;
    refuse(0, "shutting_down");
    clock.advance(MAX_RETRY_DELAY_MS - 1);
    expect(wire).toHaveLength(1);
    expect(entry.state).toBe("queued");
    outbox.setConnected(false);
    outbox.setConnected(true);
    expect(wire).toHaveLength(2);
  });

  for (const code of ["message_too_large", "payload_too_deep", "too_many_violations", "no_such_code"]) {
    it(`fails a message refused with ${code}, with the server's reason, and goes on`, () => {
      const { wire, refusals, outbox, refuse } = engine();
      outbox.setConnected(true);
      const entry = outbox.add("x")!;
      refuse(0, code);
      expect(entry).toMatchObject({ state: "failed", reason: `refused: ${code}` });
      expect(refusals).toEqual([{ code, transient: false }]);
      outbox.add("y");
      expect(wire.map(({ entry }) => entry.data)).toEqual(["x", "y"]);
    });
  }
});

describe("connections", () => {
  it("queues while offline and sends in order on connect", () => {
    const { wire, outbox } = engine();
    for (const text of ["a", "b", "c"]) outbox.add(text);
    expect(wire).toEqual([]);
    expect(outbox.queuedCount()).toBe(3);
    outbox.setConnected(true);
    expect(wire.map(({ entry }) => entry.data)).toEqual(["a", "b", "c"]);
    expect(outbox.queuedCount()).toBe(0);
  });

  it("re-sends everything not echoed after a reconnect, in the order typed, before newer messages", () => {
    const { wire, outbox, echo } = engine();
    outbox.setConnected(true);
    const [a, b, c] = ["a", "b", "c"].map((text) => outbox.add(text)!);
    echo(b!);
    outbox.setConnected(false);
    outbox.add("d");
    expect([a!.state, c!.state]).toEqual(["sent", "sent"]);
    outbox.setConnected(true);
    expect(wire.map(({ entry }) => entry.data)).toEqual(["a", "b", "c", "a", "c", "d"]);
  });

  it("refuses a message past maxQueued while offline, and not while connected", () => {
    const { outbox } = engine({ maxQueued: 2, retries: 3 });
    expect(outbox.add("1")).toBeDefined();
    expect(outbox.add("2")).toBeDefined();
    expect(outbox.add("3")).toBeUndefined();
    outbox.setConnected(true);
    expect(outbox.add("3")).toBeDefined();
  });

  it("matches echoes to messages in order when the server sends no ids", () => {
    const { outbox } = engine();
    outbox.setConnected(true);
    const [a, b] = ["a", "b"].map((text) => outbox.add(text)!);
    expect(outbox.onEcho(["a"]).entry).toBe(a);
    expect(outbox.onEcho(["b"]).entry).toBe(b);
    expect(outbox.onEcho(["stray"])).toEqual({ duplicate: false });
  });

  it("restores stored messages ahead of newer ones, skipping ids it already has", () => {
    const { wire, changes, outbox } = engine();
    const newer = outbox.add("newer")!;
    const restored = outbox.restore([
      { messageId: "stored-1", data: "one" },
      { messageId: "stored-2", data: "two", args: ["extra"] },
      { messageId: newer.messageId, data: "again" },
    ]);
    expect(restored.map((entry) => entry.data)).toEqual(["one", "two"]);
    expect(restored[1]!.args).toEqual(["extra"]);
    expect(changes.filter(([, previous]) => previous === undefined).map(([data]) => data)).toEqual(["newer", "one", "two"]);
    outbox.setConnected(true);
    expect(wire.map(({ entry }) => entry.data)).toEqual(["one", "two", "newer"]);
  });

  it("paces a burst: no more than the window in flight, the rest as answers come", () => {
    const { wire, outbox, ack, echo } = engine(undefined, { ratePerSecond: 800, burst: 1000, window: 4 });
    outbox.setConnected(true);
    const entries = Array.from({ length: 10 }, (_, i) => outbox.add(i)!);
    expect(wire).toHaveLength(4);
    ack(0);
    echo(entries[0]!);
    expect(wire).toHaveLength(5);
  });
});

describe("bounds while connected", () => {
  it("keeps at most maxQueued failed messages: the oldest failure leaves unsent() (and storage)", () => {
    const { outbox, refuse, wire } = engine({ maxQueued: 3, retries: 0 });
    outbox.setConnected(true);
    const entries = [0, 1, 2, 3, 4].map((i) => outbox.add(`m${i}`)!);
    for (let i = 0; i < 5; i++) refuse(i, "invalid_payload");
    expect(entries.every((entry) => entry.state === "failed")).toBe(true);
    expect(outbox.unsent().map((entry) => entry.data)).toEqual(["m2", "m3", "m4"]);
    expect(outbox.retry(entries[0]!)).toBe(false); // evicted: nothing to retry
    expect(outbox.retry(entries[4]!)).toBe(true);
    expect(wire.at(-1)!.entry).toBe(entries[4]);
    // Failed messages do not count against what may be sent.
    expect(outbox.add("after")).toBeDefined();
  });

  it("refuses a message once maxQueued × LIVE_QUEUE_FACTOR await their echo from a server that never echoes", () => {
    const { outbox, ack, wire } = engine({ maxQueued: 2, retries: 0 }, { ratePerSecond: 800, burst: 1000, window: 5 });
    outbox.setConnected(true);
    const limit = 2 * LIVE_QUEUE_FACTOR;
    expect(outbox.queueLimit()).toBe(limit);
    for (let i = 0; i < limit; i++) {
      expect(outbox.add(i)).toBeDefined();
      ack(wire.length - 1); // acknowledged but never echoed: it stays sent
    }
    expect(outbox.add("one too many")).toBeUndefined();
    expect(outbox.unsent()).toHaveLength(limit);
    outbox.setConnected(false);
    expect(outbox.queueLimit()).toBe(2);
  });
});
