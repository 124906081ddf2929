// The byte ring that keeps fast echoes' text for recovery, against a model: a FIFO of strings.
import { describe, expect, it } from "vitest";
import { Server } from "socket.io";
import { ByteRing } from "../../server/recovery/byte-ring.js";
import { boundedRecoveryAdapter, type BoundedRecoveryAdapter } from "../../server/recovery/recovery-adapter.js";

/** A small deterministic PRNG (mulberry32), so a failure replays. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = ["a", "b", "é", "한", "👋", '\\"'];

describe("ByteRing", () => {
  it.each([1, 2, 3, 4, 5])("reads back every held region after random writes and releases (seed %i)", (seed) => {
    const next = random(seed);
    const ring = new ByteRing(64);
    const held: Array<{ text: string; at: number; bytes: number }> = [];
    let wraps = 0;
    for (let step = 0; step < 5_000; step++) {
      if (held.length > 0 && next() < 0.45) {
        ring.release(held.shift()!.bytes);
        continue;
      }
      const text = Array.from({ length: Math.floor(next() * 12) }, () => ALPHABET[Math.floor(next() * ALPHABET.length)]).join("");
      const bytes = Buffer.byteLength(text);
      let at = ring.place(bytes);
      while (at === -1 && held.length > 0) {
        ring.release(held.shift()!.bytes); // the owner drops its oldest until the new one fits
        at = ring.place(bytes);
      }
      expect(at).toBeGreaterThanOrEqual(0);
      expect(at + bytes).toBeLessThanOrEqual(64);
      if (held.length > 0 && at < held.at(-1)!.at) wraps++;
      ring.write(text, at, bytes);
      held.push({ text, at, bytes });
      for (const region of held) expect(ring.read(region.at, region.bytes)).toBe(region.text);
    }
    expect(wraps).toBeGreaterThan(100); // the runs did go round the end, many times
  });

  it("refuses a region larger than the whole ring", () => {
    expect(new ByteRing(8).place(9)).toBe(-1);
    expect(new ByteRing(8).place(8)).toBe(0);
  });
});

describe("BoundedRecoveryAdapter with fast echoes", () => {
  it("replays fast echoes (any characters) and kept packets in order, dropping the oldest when its bytes are full", async () => {
    const io = new Server({ adapter: boundedRecoveryAdapter({ windowMs: 60_000, maxBytes: 4096, maxReplayBytes: 1_000_000 }) });
    try {
      const adapter = io.of("/").adapter as BoundedRecoveryAdapter;
      const texts = Array.from({ length: 300 }, (_, i) => `echo ${i} ${ALPHABET[i % ALPHABET.length]!.repeat(i % 7)}`);
      const offsets: string[] = [];
      for (const [i, text] of texts.entries()) {
        if (i % 10 === 0) {
          const data: unknown[] = ["echo", text];
          adapter.broadcast({ type: 2, data }, { rooms: new Set(["s1"]), except: new Set() });
          offsets.push(data.at(-1) as string);
        } else offsets.push(adapter.retainRaw("s1", "echo", JSON.stringify(text)));
      }
      // 4096 bytes hold the last few dozen: a restore from one of those replays the rest, in order.
      const from = 280;
      adapter.persistSession({ sid: "s1", pid: "p1", rooms: ["s1"], data: {} } as never);
      const restored = (await adapter.restoreSession("p1", offsets[from]!)) as { missedPackets: unknown[][] } | null;
      expect(restored?.missedPackets.map((packet) => packet[1])).toEqual(texts.slice(from + 1));
      expect(restored?.missedPackets.map((packet) => packet[2])).toEqual(offsets.slice(from + 1));
      // The oldest are gone: a restore from one of them starts afresh.
      adapter.persistSession({ sid: "s1", pid: "p2", rooms: ["s1"], data: {} } as never);
      expect(await adapter.restoreSession("p2", offsets[5]!)).toBeNull();
    } finally {
      io.of("/").adapter.close();
    }
  });
});

describe("the fast echoes' byte ring in the adapter", () => {
  it("starts small and grows as kept text needs it, keeping every kept echo readable", async () => {
    const io = new Server({ adapter: boundedRecoveryAdapter({ windowMs: 60_000, maxBytes: 1_000_000, maxReplayBytes: 10_000_000 }) });
    try {
      const adapter = io.of("/").adapter as BoundedRecoveryAdapter;
      const ring = (): ByteRing => (adapter.echoRecovery as unknown as { raw: ByteRing }).raw;
      const first = adapter.retainRaw("s1", "echo", '"first"');
      expect(ring().capacity).toBe(64 * 1024);
      const texts = Array.from({ length: 2000 }, (_, i) => `${i} ${"한".repeat(i % 50)}`);
      for (const text of texts) adapter.retainRaw("s1", "echo", JSON.stringify(text));
      expect(ring().capacity).toBe(256 * 1024); // ~204 KB of text held: grown twice
      adapter.persistSession({ sid: "s1", pid: "p1", rooms: ["s1"], data: {} } as never);
      const restored = (await adapter.restoreSession("p1", first)) as { missedPackets: unknown[][] } | null;
      expect(restored?.missedPackets.map((packet) => packet[1])).toEqual(texts);
    } finally {
      io.of("/").adapter.close();
    }
  });
});
