import { afterEach, describe, expect, it } from "vitest";
import { RawWebSocket } from "../support/raw-websocket.js";
import { startServer, waitFor, type TestServer } from "./helpers.js";

const servers: TestServer[] = [];
const cleanups: Array<() => void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  for (const server of servers.splice(0)) await server.close().catch(() => undefined);
});

type Reply = { ok: boolean; error?: { code: string } } | "no reply";

describe("graceful close()", () => {
  it("with a client mid-send: nothing acknowledged is lost, the rest is refused to be re-sent, and the client reconnects elsewhere", async () => {
    const first = await startServer();
    servers.push(first);
    const port = Number(new URL(first.url).port);
    const client = first.connect({ reconnection: true, reconnectionDelay: 50, reconnectionDelayMax: 100 });
    await waitFor(client, "connect");
    const echoed = new Set<string>();
    client.on("echo", (_data, envelope: { echoSocketId: string }) => echoed.add(envelope.echoSocketId));

    const dropped = waitFor<[string]>(client, "disconnect");
    const replies: Reply[] = [];
    const sends: Array<Promise<void>> = [];
    let closing: Promise<void> | undefined;
    for (let i = 0; i < 200; i++) {
      if (i % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 2)); // a steady sender, not one burst
      sends.push(
        client
          .timeout(2000)
          .emitWithAck("ms", i, { echoSocketId: `m${i}` })
          .then((reply: Reply) => void (replies[i] = reply), () => void (replies[i] = "no reply")),
      );
      if (i === 100) {
        // Close mid-stream: once half of what was sent so far is acknowledged, with the rest in flight.
        while (replies.filter(Boolean).length < 50) await new Promise((resolve) => setTimeout(resolve, 1));
        closing = first.handle.close();
      }
    }
    await closing;
    expect((await dropped)[0]).toBe("transport close"); // not "io server disconnect": socket.io-client reconnects
    expect(client.active).toBe(true);
    await Promise.all(sends);

    const acked = replies.flatMap((reply, i) => (reply !== "no reply" && reply.ok ? [`m${i}`] : []));
    const refused = replies.filter((reply) => reply !== "no reply" && !reply.ok);
    expect(acked.length).toBeGreaterThan(0);
    expect(acked.every((id) => echoed.has(id))).toBe(true); // every acknowledged message had its echo delivered
    expect(refused.every((reply) => reply !== "no reply" && reply.error?.code === "shutting_down")).toBe(true);

    // That process goes away; another comes up on the same address. The client reconnects by itself
    // and re-sends what was not acknowledged, as <echo-socket> does.
    first.server.closeAllConnections();
    await new Promise((resolve) => first.server.close(resolve));
    servers.splice(servers.indexOf(first), 1);
    const second = await startServer({}, port);
    servers.push(second);
    await waitFor(client, "connect");
    const missing = replies.flatMap((reply, i) => (reply === "no reply" || !reply.ok ? [i] : []));
    for (const i of missing) await client.timeout(2000).emitWithAck("ms", i, { echoSocketId: `m${i}` });
    expect(echoed.size).toBe(200);
  });

  it("refuses new connections while it waits for queued echoes, up to shutdownTimeoutMs", async () => {
    const server = await startServer({ shutdownTimeoutMs: 800, maxViolations: 1000 });
    servers.push(server);
    // A client that stops reading keeps echoes queued, so close() waits.
    const reader = await RawWebSocket.connected(Number(new URL(server.url).port));
    cleanups.push(() => reader.destroy());
    reader.socket.pause();
    for (let i = 0; i < 200; i++) reader.sendText(`42["ms","${"z".repeat(60_000)}"]`);
    const deadline = Date.now() + 5000;
    while (server.handle.stats().refused === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const started = Date.now();
    let closed = false;
    const closing = server.handle.close().then(() => void (closed = true));
    const handshake = await fetch(`${server.url}/socket.io/?EIO=4&transport=polling`);
    expect(closed).toBe(false);
    expect(handshake.status).toBe(403);
    expect(await handshake.json()).toMatchObject({ message: "server shutting down" });
    await closing;
    expect(Date.now() - started).toBeGreaterThanOrEqual(700);
    expect(Date.now() - started).toBeLessThan(3000);
  });
});
