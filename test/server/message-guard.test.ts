// MessageGuard on a clock the test moves by hand: how many messages the rate limit admits, when it says
// to retry, the violation window, and that the fast path's check (admitsRaw) admits only what the full
// check admits. Integration tests only show that these hold on a real server, with no time bounds.
// The guard watches a real socket.io socket (a real server on port 0 and a real client).
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Server, type Socket } from "socket.io";
import { io as connectClient, type Socket as ClientSocket } from "socket.io-client";
import { MessageGuard } from "../../server/messages/message-guard.js";
import { isJsonStringLiteral } from "../../server/messages/fast-path.js";
import { resolveAttachOptions, type AttachOptions } from "../../server/options/attach-options.js";
import { waitFor } from "./helpers.js";

let httpServer: HttpServer;
let io: Server;
let client: ClientSocket;
let socket: Socket;

beforeAll(async () => {
  httpServer = createServer();
  io = new Server(httpServer);
  const connected = waitFor<[Socket]>(io, "connection");
  await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
  client = connectClient(`http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`, { forceNew: true, reconnection: false, transports: ["websocket"] });
  [socket] = await connected;
});
afterAll(async () => {
  client.disconnect();
  await new Promise((resolve) => io.close(resolve));
});

/** A guard on `socket` with `options`, on a clock moved by `advance(ms)`. */
function guarded(options: Partial<AttachOptions>, clock = manualClock()) {
  const guard = new MessageGuard(socket, resolveAttachOptions(options), clock.now);
  return { guard, ...clock, [Symbol.dispose]: () => guard.dispose() };
}

function manualClock() {
  let now = 1_000;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

describe("MessageGuard's rate limit", () => {
  it("admits the burst at once, refuses the rest saying when to retry, and admits again once a token is back", () => {
    using bucket = guarded({ messagesPerSecond: 20, messageBurst: 5 });
    const decisions = Array.from({ length: 20 }, (_, i) => bucket.guard.check([i]));
    expect(decisions.filter((refusal) => refusal === undefined)).toHaveLength(5);
    expect(decisions.slice(0, 5)).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect(decisions[5]?.error).toMatchObject({ code: "rate_limited", retryAfterMs: 50 }); // one token at 20 a second
    bucket.advance(49);
    expect(bucket.guard.check(["too soon"])?.error.code).toBe("rate_limited");
    bucket.advance(1);
    expect(bucket.guard.check(["now"])).toBeUndefined();
  });

  it("charges a large message one token plus one per 4 KiB", () => {
    using bucket = guarded({ messagesPerSecond: 1, messageBurst: 12 });
    expect(bucket.guard.check(["x".repeat(40_000)])).toBeUndefined(); // 1 + 9 tokens: 2 left
    expect(bucket.guard.check(["x".repeat(12_000)])?.error).toMatchObject({ code: "rate_limited", retryAfterMs: 1000 }); // 1 + 2
    expect(bucket.guard.check(["small"])).toBeUndefined();
  });

  it("counts violations over 10 s: past maxViolations within them, the connection is persistent", () => {
    using bucket = guarded({ messagesPerSecond: 1, messageBurst: 1, maxViolations: 3 });
    expect(bucket.guard.check(["first"])).toBeUndefined();
    for (let i = 0; i < 3; i++) expect(bucket.guard.check([i])?.error.code).toBe("rate_limited");
    expect(bucket.guard.persistent).toBe(false);
    bucket.advance(10_001); // a new window: the count starts again
    bucket.guard.check(["refill"]); // admitted: the bucket refilled
    for (let i = 0; i < 3; i++) bucket.guard.check(["x".repeat(100)]);
    expect(bucket.guard.persistent).toBe(false);
    bucket.guard.check(["one too many"]);
    expect(bucket.guard.persistent).toBe(true);
  });
});

/** A small seeded generator (mulberry32): the same cases every run, and a failing seed can be replayed. */
function random(seed: number) {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[int(0, items.length - 1)]!;
  return { next, int, pick };
}

/** Characters of every UTF-8 width, and ones JSON escapes. */
const ALPHABET = ["a", "Z", "7", " ", "é", "한", "€", "👋", '"', "\\", "/", "\n", "\t", "\u0000", "\u2028", "\ud800"];

/** Which characters a message is made of: plain ASCII, 2-4 byte UTF-8, or a mix with ones JSON escapes. */
const KINDS = [ALPHABET.slice(0, 4), ["é", "한", "€", "👋"], ALPHABET];

/** A packet the fast path is offered: `42["ms",<one string literal>]`, the literal as JSON.stringify writes it or with \\u escapes. */
function packet(rng: ReturnType<typeof random>, maxMessageBytes: number): string {
  // Lengths around the limit's thirds and the limit itself, where the fast path's shortcuts change.
  const target = Math.max(
    0,
    rng.pick([rng.int(0, 40), Math.floor(maxMessageBytes / 3) + rng.int(-8, 8), maxMessageBytes + rng.int(-40, 8), rng.int(0, 3 * maxMessageBytes)]),
  );
  const kind = rng.pick(KINDS);
  const unit = Array.from({ length: rng.int(1, 24) }, () => rng.pick(kind)).join("");
  const text = unit.repeat(Math.ceil(target / unit.length)).slice(0, target);
  let literal = JSON.stringify(text);
  if (rng.next() < 0.2) literal = literal.replace(/[a-zA-Z]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return `42["ms",${literal}]`;
}

describe("the fast path's check", () => {
  it("admits only what the full check admits, for many generated messages and guard states", () => {
    const rng = random(20_261_129);
    const disagreements: string[] = [];
    for (let run = 0; run < 1000 && disagreements.length < 5; run++) {
      const options = {
        maxMessageBytes: rng.pick([64, 256, 1000, 4096, 131_072]),
        messagesPerSecond: rng.pick([1, 10, 100]),
        messageBurst: rng.int(1, 20),
        maxViolations: 1_000_000,
      };
      // Two guards in the same state: the same clock, the same messages before (one token each in both).
      const clock = manualClock();
      using fast = guarded(options, clock);
      using full = guarded(options, clock);
      const before = rng.int(0, options.messageBurst + 1);
      for (let i = 0; i < before; i++) {
        fast.guard.admitsRaw('42["ms","x"]');
        full.guard.check(["x"]);
      }
      clock.advance(rng.pick([0, 0, 1, 10, 100, 1000]));
      const text = packet(rng, options.maxMessageBytes);
      const start = '42["ms",'.length;
      // What the fast path offers the guard: a packet that is exactly one string literal.
      if (!isJsonStringLiteral(text, start, text.length - 1)) continue;
      const args = (JSON.parse(text.slice(2)) as unknown[]).slice(1);
      expect(args).toHaveLength(1);
      expect(typeof args[0]).toBe("string");
      const fastAdmits = fast.guard.admitsRaw(text);
      const fullRefusal = full.guard.check(args);
      if (fastAdmits && fullRefusal) {
        disagreements.push(
          `run ${run}: ${JSON.stringify(options)}, ${before} before, ${text.length} characters (${Buffer.byteLength(text)} bytes): the full check says ${fullRefusal.error.code}`,
        );
      }
    }
    expect(disagreements).toEqual([]);
  });
});
