// The bounded recovery adapter on a clock the test moves: windows that would take minutes to wait out.
// A real socket.io Server (not listening) constructs it, as it does in production.
import { afterEach, describe, expect, it } from "vitest";
import { Server } from "socket.io";
import { boundedRecoveryAdapter, type BoundedRecoveryAdapter, RESTORES_PER_MINUTE } from "../../server/recovery/recovery-adapter.js";

let io: Server | undefined;
afterEach(() => {
  io?.of("/").adapter.close(); // a Server never attached has no engine to close
  io = undefined;
});

function adapterOnClock(windowMs = 30_000) {
  let now = 1_000_000;
  io = new Server({ adapter: boundedRecoveryAdapter({ windowMs, maxBytes: 10_000_000, maxReplayBytes: 1_000_000, now: () => now }) });
  const adapter = io.of("/").adapter as BoundedRecoveryAdapter;
  /** An echo to `sid`, as socket.io's emit hands it over; returns the offset the client would hold. */
  const echo = (sid: string, text: string): string => {
    const data: unknown[] = ["echo", text];
    adapter.broadcast({ type: 2, data }, { rooms: new Set([sid]), except: new Set() });
    return data.at(-1) as string;
  };
  const drop = (sid: string, pid: string): void => adapter.persistSession({ sid, pid, rooms: [sid], data: {} } as never);
  const restore = async (pid: string, offset: string) => (await adapter.restoreSession(pid, offset)) as { missedPackets: unknown[][] } | null;
  return { adapter, echo, drop, restore, advance: (ms: number) => void (now += ms) };
}

describe("BoundedRecoveryAdapter", () => {
  it("restores a session at most RESTORES_PER_MINUTE times a minute, and again once the minute has passed", async () => {
    const { echo, drop, restore, advance } = adapterOnClock();
    let offset = echo("s1", "first");
    for (let i = 0; i < RESTORES_PER_MINUTE; i++) {
      drop("s1", "p1");
      expect(await restore("p1", offset), `restore ${i + 1}`).not.toBeNull();
      offset = echo("s1", `after restore ${i + 1}`);
      advance(1000);
    }
    drop("s1", "p1");
    expect(await restore("p1", offset)).toBeNull(); // the 21st within the minute
    advance(60_000 - RESTORES_PER_MINUTE * 1000 + 1); // the minute that began with the first restore is over
    offset = echo("s1", "a new echo: older ones are past the window by now");
    drop("s1", "p1");
    expect(await restore("p1", offset)).not.toBeNull();
  });

  it("replays what a session missed once: an older offset after a restore starts afresh", async () => {
    const { echo, drop, restore } = adapterOnClock();
    const first = echo("s1", "a");
    echo("s1", "b");
    echo("s1", "c");
    drop("s1", "p1");
    expect((await restore("p1", first))?.missedPackets.map((packet) => packet[1])).toEqual(["b", "c"]);
    drop("s1", "p1");
    expect(await restore("p1", first)).toBeNull();
  });

  it("forgets a session dropped longer than the window ago, and echoes older than the window", async () => {
    const { echo, drop, restore, advance } = adapterOnClock(30_000);
    const offset = echo("s1", "a");
    drop("s1", "p1");
    advance(30_001);
    expect(await restore("p1", offset)).toBeNull();
    const kept = echo("s2", "b");
    advance(30_001);
    echo("s3", "prunes what is past the window");
    drop("s2", "p2");
    expect(await restore("p2", kept)).toBeNull(); // its offset's echo is gone: nothing to restore from
  });

  it("does not restore one session from an offset issued to another", async () => {
    const { echo, drop, restore } = adapterOnClock();
    const victims = echo("victim", "secret");
    echo("attacker", "mine");
    drop("attacker", "p-attacker");
    expect(await restore("p-attacker", victims)).toBeNull();
  });
});
