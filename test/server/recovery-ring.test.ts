// The recovery ring on its own (server/recovery/recovery-ring.ts), on a clock the test moves: what
// BoundedRecoveryAdapter keeps in memory mode, and what a shared adapter keeps node-locally in Redis mode.
import { describe, expect, it } from "vitest";
import { RecoveryRing } from "../../server/recovery/recovery-ring.js";

function ringOnClock(limits: { windowMs?: number; maxBytes?: number; maxReplayBytes?: number } = {}) {
  let now = 1_000_000;
  const ring = new RecoveryRing({ windowMs: 30_000, maxBytes: 10_000_000, maxReplayBytes: 1_000_000, ...limits, now: () => now });
  /** An emit as socket.io hands it to the adapter; returns the offset the client would hold. */
  const emit = (rooms: string[], text: unknown, except: string[] = []): string => {
    const data: unknown[] = ["echo", text];
    ring.keepEmitted({ type: 2, data }, { rooms: new Set(rooms), except: new Set(except) });
    return data.at(-1) as string;
  };
  const drop = (sid: string, pid: string, rooms: string[] = [sid]): void => ring.persistSession({ sid, pid, rooms, data: {} } as never);
  const restore = async (pid: string, offset: string) => (await ring.restoreSession(pid, offset)) as { missedPackets: unknown[][] } | null;
  const texts = (restored: { missedPackets: unknown[][] } | null) => restored?.missedPackets.map((packet) => packet[1]);
  return { ring, emit, drop, restore, texts, advance: (ms: number) => void (now += ms) };
}

describe("RecoveryRing", () => {
  it("keeps what socket.io keeps: not acknowledged, volatile or non-event packets, nor echo-socket's ready signal", () => {
    const { ring } = ringOnClock();
    const opts = { rooms: new Set(["s1"]), except: new Set<string>() };
    const kept = (packet: { type: number; id?: number; data: unknown[] }, flags?: { volatile?: boolean }) => {
      const before = packet.data.length;
      ring.keepEmitted(packet, { ...opts, flags });
      return packet.data.length > before;
    };
    expect(kept({ type: 2, data: ["echo", "a"] })).toBe(true);
    expect(kept({ type: 2, id: 1, data: ["echo", "a"] })).toBe(false);
    expect(kept({ type: 2, data: ["echo", "a"] }, { volatile: true })).toBe(false);
    expect(kept({ type: 3, data: ["echo", "a"] })).toBe(false);
    expect(kept({ type: 2, data: ["echo-socket:ready", {}] })).toBe(false);
    expect(ring.size.packets).toBe(1);
  });

  it("replays to a session what went to its rooms: its own id, its rooms, the whole namespace, minus what excluded it", async () => {
    const { emit, drop, restore, texts } = ringOnClock();
    const offset = emit(["s1"], "mine");
    emit(["s2"], "another's");
    emit(["room-a"], "to my room");
    emit(["room-b"], "to a room I am not in");
    emit([], "to everyone");
    emit([], "to everyone but me", ["s1"]);
    emit(["room-a", "room-b"], "to both rooms but room-a", ["room-a"]);
    emit(["s1"], "mine again");
    drop("s1", "p1", ["s1", "room-a"]);
    expect(texts(await restore("p1", offset))).toEqual(["to my room", "to everyone", "mine again"]);
  });

  it("restores from an offset another recovery wrote (a stream id) for a packet it kept, in the order delivered here", async () => {
    const { ring, emit, drop, restore, texts, advance } = ringOnClock();
    emit(["s1"], "echo 1");
    const broadcast: unknown[] = ["news", "from Redis", "1700000000000-0"];
    ring.keepDelivered(broadcast, { rooms: new Set(), except: new Set() });
    emit(["s1"], "echo 2");
    expect(ring.owns("1700000000000-0")).toBe(true);
    expect(ring.owns("1700000000001-0")).toBe(false);
    drop("s1", "p1");
    expect(texts(await restore("p1", "1700000000000-0"))).toEqual(["echo 2"]);
    // Once its packet is past the window, the foreign offset is forgotten with it.
    advance(30_001);
    emit(["s9"], "prunes");
    expect(ring.owns("1700000000000-0")).toBe(false);
  });

  it("knows the sockets whose sessions it holds, for the window, and forgets one once restored", async () => {
    const { ring, emit, drop, restore, advance } = ringOnClock();
    const offset = emit(["s1"], "a");
    expect(ring.holdsSessionOf("s1")).toBe(false);
    drop("s1", "p1");
    drop("s2", "p2");
    expect(ring.holdsSessionOf("s1")).toBe(true);
    expect(await restore("p1", offset)).not.toBeNull();
    expect(ring.holdsSessionOf("s1")).toBe(false);
    advance(30_001);
    expect(ring.holdsSessionOf("s2")).toBe(false);
  });

  it("bounds what it keeps by bytes, dropping the oldest, and a replay by maxReplayBytes", async () => {
    const { ring, emit, drop, restore, texts } = ringOnClock({ maxBytes: 10_000, maxReplayBytes: 2_500 });
    const first = emit(["s1"], "x".repeat(1000));
    for (let i = 0; i < 20; i++) emit(["s1"], `${i}`.padEnd(1000, "y"));
    expect(ring.size.bytes).toBeLessThanOrEqual(10_000);
    drop("s1", "p1");
    expect(await restore("p1", first)).toBeNull(); // its packet is gone: nothing to restore from
    const recent = emit(["s1"], "recent");
    emit(["s1"], "one");
    emit(["s1"], "two");
    drop("s1", "p2");
    expect(texts(await restore("p2", recent))).toEqual(["one", "two"]);
    const older = emit(["s1"], "older");
    for (let i = 0; i < 3; i++) emit(["s1"], "z".repeat(1000));
    drop("s1", "p3");
    expect(await restore("p3", older)).toBeNull(); // 3 KB to replay: past maxReplayBytes
  });

  it("keeps fast echoes' text and replays them as packets, with its own offsets", async () => {
    const { ring, drop, restore } = ringOnClock();
    const first = ring.retainRaw("s1", "echo", '"first"');
    ring.retainRaw("s1", "echo", '"h\\u00e9llo \\"x\\""');
    drop("s1", "p1");
    const restored = await restore("p1", first);
    expect(restored?.missedPackets).toHaveLength(1);
    const [event, text, offset] = restored!.missedPackets[0]!;
    expect([event, text]).toEqual(["echo", 'héllo "x"']);
    expect(ring.owns(offset as string)).toBe(true);
  });
});
