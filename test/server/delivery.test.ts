import { afterEach, describe, expect, it } from "vitest";
import { MemoryDedupWindow } from "../../server/state/dedup.js";
import { until } from "../support/until.mjs";
import { dropAfterOneEcho, startServer, waitFor, type TestServer } from "./helpers.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("MemoryDedupWindow", () => {
  it("reports an id seen before, once recorded", () => {
    const window = new MemoryDedupWindow(10, 60_000);
    expect(window.seenBefore("a")).toBe(false);
    expect(window.seenBefore("a")).toBe(true);
    expect(window.seenBefore("b")).toBe(false);
    expect(window.size).toBe(2);
  });

  it("never holds more than its size, forgetting the oldest first", () => {
    const window = new MemoryDedupWindow(100, 60_000);
    for (let i = 0; i < 10_000; i++) window.seenBefore(`id-${i}`);
    expect(window.size).toBe(100);
    expect(window.seenBefore("id-9999")).toBe(true);
    expect(window.seenBefore("id-9900")).toBe(true);
    expect(window.seenBefore("id-0")).toBe(false); // forgotten, so recorded anew
  });

  it("forgets ids after its time window", () => {
    let now = 1_000;
    const window = new MemoryDedupWindow(100, 5_000, () => now);
    window.seenBefore("old");
    now += 4_999;
    expect(window.seenBefore("old")).toBe(true);
    now += 2;
    window.seenBefore("new"); // recording evicts what expired
    expect(window.size).toBe(1);
    expect(window.seenBefore("old")).toBe(false);
  });
});

describe("delivery by id", () => {
  it("tells each client on connect that it echoes ids", async () => {
    server = await startServer();
    const client = server.connect();
    // Not kept for recovery, so it carries no offset: replaying a hello would only cost memory.
    expect(await waitFor(client, "echo-socket:ready")).toEqual([{ delivery: 1 }]);
  });

  it("acknowledges by id, echoes the envelope back, and counts a re-sent id once", async () => {
    server = await startServer();
    const client = server.connect();
    const first = waitFor(client, "echo");
    expect(await client.timeout(10_000).emitWithAck("ms", "hello", { echoSocketId: "m-1" })).toEqual({ ok: true, id: "m-1" });
    expect((await first).slice(0, 2)).toEqual(["hello", { echoSocketId: "m-1" }]);

    // The same id again, as after a lost acknowledgement: echoed again (the first echo may be what was lost), counted once.
    const again = waitFor(client, "echo");
    expect(await client.timeout(10_000).emitWithAck("ms", "hello", { echoSocketId: "m-1" })).toEqual({
      ok: true,
      id: "m-1",
      duplicate: true,
    });
    expect((await again).slice(0, 2)).toEqual(["hello", { echoSocketId: "m-1" }]);
    expect(server.handle.stats()).toMatchObject({ echoes: 1, acked: 2, deduplicated: 1 });
  });

  it("recognises a re-sent id from a new connection (the client's reconnect)", async () => {
    server = await startServer();
    const before = server.connect();
    await before.timeout(10_000).emitWithAck("ms", "x", { echoSocketId: "carried-over" });
    before.disconnect();
    const after = server.connect();
    expect(await after.timeout(10_000).emitWithAck("ms", "x", { echoSocketId: "carried-over" })).toMatchObject({ duplicate: true });
  });

  it.each([
    ["too long", { echoSocketId: "x".repeat(65) }],
    ["with other characters", { echoSocketId: "a b<c>" }],
    ["not a string", { echoSocketId: 42 }],
    ["inside an array", [{ echoSocketId: "m-2" }]],
  ])("treats an envelope with an id %s as plain data", async (_name, envelope) => {
    server = await startServer();
    const client = server.connect();
    for (let i = 0; i < 2; i++) expect(await client.timeout(10_000).emitWithAck("ms", "plain", envelope)).toEqual({ ok: true });
    expect(server.handle.stats()).toMatchObject({ echoes: 2, acked: 0, deduplicated: 0 });
  });

  it("keeps its memory bounded by dedupWindowSize", async () => {
    server = await startServer({ dedupWindowSize: 50 });
    const client = server.connect();
    for (let i = 0; i < 200; i++) client.emit("ms", i, { echoSocketId: `id-${i}` });
    expect(await client.timeout(10_000).emitWithAck("ms", "last", { echoSocketId: "id-199" })).toMatchObject({ duplicate: true });
    // id-0 fell out of the 50-id window, so it counts as new.
    expect(await client.timeout(10_000).emitWithAck("ms", "first", { echoSocketId: "id-0" })).toEqual({ ok: true, id: "id-0" });
    expect(server.handle.stats()).toMatchObject({ echoes: 201, deduplicated: 1 });
  });
});

/** A reconnecting client of `testServer` after `dropAfterOneEcho`, and the socket id it had. */
async function droppedAfterOneEcho(testServer: TestServer) {
  const client = testServer.connect({ reconnectionDelay: 50, reconnection: true });
  return { client, oldId: await dropAfterOneEcho(client) };
}

describe("connection state recovery (on by default)", () => {
  it("replays an echo emitted while the client's connection was down", async () => {
    server = await startServer();
    const { client, oldId } = await droppedAfterOneEcho(server);
    const serverSide = waitFor(server.handle.io, "connection");
    server.handle.io.to(oldId).emit("echo", "during the drop"); // what an in-flight echo would do
    await serverSide;
    const [replayed] = await waitFor<[string]>(client, "echo");
    expect(replayed).toBe("during the drop");
    expect(client.recovered).toBe(true);
    expect(client.id).toBe(oldId);
    expect(server.handle.stats()).toMatchObject({ recovered: 1, connections: 1, totalConnections: 2 });
  });

  it("replays hundreds of missed echoes in order (the replay ring grows as needed)", async () => {
    server = await startServer();
    const { client, oldId } = await droppedAfterOneEcho(server);
    for (let i = 0; i < 1500; i++) server.handle.io.to(oldId).emit("echo", i);
    const replayed: number[] = [];
    client.on("echo", (n: number) => replayed.push(n));
    await waitFor(client, "connect");
    await until(() => replayed.length >= 1500, { what: "1,500 replayed echoes" });
    expect(client.recovered).toBe(true);
    expect(replayed).toEqual(Array.from({ length: 1500 }, (_, i) => i));
  });

  it("keeps its replay buffer within recoveryBufferBytes, starting afresh rather than replaying a gap", async () => {
    server = await startServer({ recoveryBufferBytes: 5000 });
    const { client, oldId } = await droppedAfterOneEcho(server);
    // 10 KB of missed echoes into a 5 KB buffer: the oldest are gone, so the session cannot be replayed whole.
    for (let i = 0; i < 10; i++) server.handle.io.to(oldId).emit("echo", "m".repeat(1000));
    await waitFor(client, "connect");
    expect(client.recovered).toBe(false);
    expect(client.id).not.toBe(oldId);
  });

  it("can be turned off with recoveryWindowMs: 0", async () => {
    server = await startServer({ recoveryWindowMs: 0 });
    const client = server.connect({ reconnectionDelay: 50, reconnection: true });
    await waitFor(client, "connect");
    const oldId = client.id;
    const reconnected = waitFor(client, "connect");
    client.io.engine.close();
    await reconnected;
    expect(client.recovered).toBeFalsy();
    expect(client.id).not.toBe(oldId);
    expect(server.handle.stats().recovered).toBe(0);
  });
});
