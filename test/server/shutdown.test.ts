import { afterEach, describe, expect, it } from "vitest";
import { RawWebSocket } from "../support/raw-websocket.js";
import { until } from "../support/until.mjs";
import { admitted, startServer, waitFor, type TestServer } from "./helpers.js";

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
    let answered = 0;
    let halfAnswered: () => void = () => {};
    const fiftyAnswered = new Promise<void>((resolve) => (halfAnswered = resolve));
    const sends: Array<Promise<void>> = [];
    let closing: Promise<void> | undefined;
    for (let i = 0; i < 200; i++) {
      if (i % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 2)); // a steady sender, not one burst
      sends.push(
        client
          .timeout(2000)
          .emitWithAck("ms", i, { echoSocketId: `m${i}` })
          .then(
            (reply: Reply) => void (replies[i] = reply),
            () => void (replies[i] = "no reply"),
          )
          .then(() => void (++answered === 50 && halfAnswered())),
      );
      if (i === 100) {
        // Close mid-stream: once half of what was sent so far is acknowledged, with the rest in flight.
        await fiftyAnswered;
        closing = first.handle.close();
      }
    }
    await closing;
    expect((await dropped)[0]).toBe("transport close"); // not "io server disconnect": socket.io-client reconnects
    expect(client.active).toBe(true);

    // That process goes away; another comes up on the same address. The client reconnects by itself
    // (what it sent while disconnected goes to the new server, rather than waiting out its 2 s ack
    // timeout) and re-sends what was not acknowledged, as <echo-socket> does.
    first.server.closeAllConnections();
    await new Promise((resolve) => first.server.close(resolve));
    servers.splice(servers.indexOf(first), 1);
    const second = await startServer({}, port);
    servers.push(second);
    await Promise.all(sends);

    const acked = replies.flatMap((reply, i) => (reply !== "no reply" && reply.ok ? [`m${i}`] : []));
    const refused = replies.filter((reply) => reply !== "no reply" && !reply.ok);
    expect(acked.length).toBeGreaterThan(0);
    expect(acked.every((id) => echoed.has(id))).toBe(true); // every acknowledged message had its echo delivered
    expect(refused.every((reply) => reply !== "no reply" && reply.error?.code === "shutting_down")).toBe(true);
    expect(await admitted(client)).toBe(true);
    const missing = replies.flatMap((reply, i) => (reply === "no reply" || !reply.ok ? [i] : []));
    for (const i of missing) await client.timeout(2000).emitWithAck("ms", i, { echoSocketId: `m${i}` });
    expect(echoed.size).toBe(200);
  });

  it("refuses new connections while it waits for queued echoes, up to shutdownTimeoutMs", async () => {
    /** A server with echoes queued to a client that stopped reading, so close() waits. */
    const withQueuedEchoes = async (shutdownTimeoutMs: number) => {
      const server = await startServer({ shutdownTimeoutMs, maxViolations: 1000 });
      servers.push(server);
      const reader = await RawWebSocket.connected(Number(new URL(server.url).port));
      cleanups.push(() => reader.destroy());
      reader.socket.pause();
      for (let i = 0; i < 200; i++) reader.sendText(`42["ms","${"z".repeat(60_000)}"]`);
      await until(() => server.handle.stats().refused > 0, { what: "echoes to queue up to a refusal" });
      return { server, reader };
    };

    // While it waits (shutdownTimeoutMs only stops a hang here), a handshake is refused; the wait ends
    // when nothing is queued any more.
    const waiting = await withQueuedEchoes(60_000);
    let closed = false;
    const closing = waiting.server.handle.close().then(() => void (closed = true));
    const handshake = await fetch(`${waiting.server.url}/socket.io/?EIO=4&transport=polling`);
    expect(handshake.status).toBe(403);
    expect(await handshake.json()).toMatchObject({ message: "server shutting down" });
    expect(closed).toBe(false);
    waiting.reader.destroy();
    await closing;

    // With the echoes still queued, close() gives up waiting at shutdownTimeoutMs (not before).
    const stuck = await withQueuedEchoes(300);
    const started = Date.now();
    await stuck.server.handle.close();
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });
});
