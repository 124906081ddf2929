import type { EventEmitter } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Server } from "socket.io";
import { io as connectClient } from "socket.io-client";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import { attachEchoSocket, type Logger } from "../../server/index.js";
import { until } from "../support/until.mjs";
import { startServer, waitFor, type TestServer } from "./helpers.js";

let server: TestServer | undefined;
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  await server?.close();
  server = undefined;
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** Every packet engine.io flushes to the connections of `io` (the frame path writes around engine.io). */
function flushedPackets(io: Server): string[] {
  const flushed: string[] = [];
  io.engine.on("connection", (conn: { on(event: "flush", fn: (buffer: Array<{ data?: unknown }>) => void): void }) =>
    conn.on("flush", (buffer) => flushed.push(...buffer.map((packet) => String(packet.data)))),
  );
  return flushed;
}

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const log = (...args: unknown[]): void => void lines.push(args.map(String).join(" "));
  return { lines, info: log, warn: log, error: log, debug: log };
}

/** Sends `count` plain messages and resolves with the echoes, in the order they came. */
async function echoRound(client: ReturnType<typeof connectClient>, count: number): Promise<unknown[]> {
  const received: unknown[] = [];
  client.on("echo", (data) => received.push(data));
  for (let i = 0; i < count; i++) client.emit("ms", `m${i}`);
  await until(() => received.length >= count, { what: `${count} echoes` });
  return received;
}

describe("the WebSocket frame path", () => {
  it("answers plain echoes on the WebSocket, around engine.io's write buffer, in order", async () => {
    server = await startServer();
    const flushed = flushedPackets(server.handle.io);
    const client = server.connect({ transports: ["websocket"] });
    await waitFor(client, "connect");
    const received = await echoRound(client, 100);
    expect(received).toEqual(Array.from({ length: 100 }, (_, i) => `m${i}`));
    expect(server.handle.stats().echoes).toBe(100);
    // engine.io flushed the handshake and the ready event, and not one of the 100 echoes.
    expect(flushed.some((packet) => packet.startsWith('2["echo"'))).toBe(false);
    expect(flushed.some((packet) => packet.startsWith('2["echo-socket:ready"'))).toBe(true);
  });

  it("takes over after an upgrade from long-polling", async () => {
    server = await startServer();
    const flushed = flushedPackets(server.handle.io);
    const client = server.connect({ transports: ["polling", "websocket"] });
    const upgraded = waitFor(client.io.engine as unknown as EventEmitter, "upgrade"); // the engine exists from the start: listen before it can upgrade
    await waitFor(client, "connect");
    await upgraded;
    expect(client.io.engine.transport.name).toBe("websocket");
    const received = await echoRound(client, 20);
    expect(received).toHaveLength(20);
    expect(flushed.filter((packet) => packet.startsWith('2["echo"'))).toEqual([]);
  });

  it("leaves packets to engine.io while the application listens to them", async () => {
    server = await startServer();
    const flushed = flushedPackets(server.handle.io);
    const seen: string[] = [];
    server.handle.io.engine.on("connection", (conn: { on(event: "packet", fn: (packet: { type: string; data?: string }) => void): void }) =>
      conn.on("packet", (packet) => packet.type === "message" && seen.push(String(packet.data))),
    );
    const client = server.connect({ transports: ["websocket"] });
    await waitFor(client, "connect");
    await echoRound(client, 10);
    expect(seen.filter((data) => data.startsWith('2["ms"'))).toHaveLength(10);
    expect(flushed.filter((packet) => packet.startsWith('2["echo"'))).toHaveLength(10);
  });

  it("keeps engine.io's heartbeat: a client that sends messages but never answers pings is closed", async () => {
    // pingTimeout is loose enough that a loaded machine still answers the pings before the first echo.
    server = await startServer({ serverOptions: { pingInterval: 100, pingTimeout: 500 } });
    const closedFor = new Promise<string>((resolve) =>
      server!.handle.io.engine.on("connection", (conn: EventEmitter) => conn.on("close", (reason: string) => resolve(reason))),
    );
    const port = new URL(server.url).port;
    const ws = new WebSocket(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`);
    cleanups.push(() => ws.terminate());
    let echoes = 0;
    let sender: NodeJS.Timeout | undefined;
    cleanups.push(() => clearInterval(sender));
    ws.on("message", (data) => {
      const text = data.toString();
      if (text.startsWith("0")) ws.send("40");
      // socket.io closes a client whose event comes before its CONNECT is answered: send only after.
      else if (text.startsWith("40")) sender = setInterval(() => ws.readyState === WebSocket.OPEN && ws.send('42["ms","keep busy"]'), 5);
      else if (text.startsWith('42["echo"')) echoes++;
      else if (text === "2" && echoes === 0) ws.send("3"); // once served, pings go unanswered
    });
    await waitFor(ws, "close");
    expect(await closedFor).toBe("ping timeout");
    expect(echoes).toBeGreaterThan(0);
  });

  it("steps aside, with one log line, on a WebSocket engine it was not written against", async () => {
    const logger = recordingLogger();
    class InstrumentedServer extends WebSocketServer {}
    server = await startServer({ logger, serverOptions: { wsEngine: InstrumentedServer } });
    const flushed = flushedPackets(server.handle.io);
    const client = server.connect({ transports: ["websocket"] });
    await waitFor(client, "connect");
    expect(await echoRound(client, 10)).toHaveLength(10);
    expect(flushed.filter((packet) => packet.startsWith('2["echo"'))).toHaveLength(10);
    expect(logger.lines.filter((line) => line.includes("frame path is off"))).toEqual([
      "echo-socket's WebSocket frame path is off (wsEngine is not ws's WebSocketServer): echoes go through engine.io",
    ]);
  });

  it("steps aside when the WebSocket has another message listener, logging it once for the channel", async () => {
    const http = createServer();
    const io = new Server(http);
    const heard: string[] = [];
    // The application's own listener on every WebSocket, before echo-socket attaches.
    io.engine.on("connection", (conn: { transport: { name: string; socket: WebSocket } }) => {
      if (conn.transport.name === "websocket") conn.transport.socket.on("message", (data) => heard.push(data.toString()));
    });
    const logger = recordingLogger();
    const handle = attachEchoSocket(io, { logger });
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    const clients = [0, 1].map(() => connectClient(url, { forceNew: true, reconnection: false, transports: ["websocket"] }));
    const connected = Promise.all(clients.map((client) => waitFor(client, "connect")));
    cleanups.push(async () => {
      for (const client of clients) client.disconnect();
      await handle.close();
      io.close();
    });
    await connected;
    for (const client of clients) expect(await echoRound(client, 5)).toHaveLength(5);
    expect(heard.filter((text) => text.startsWith('42["ms"'))).toHaveLength(10);
    expect(logger.lines.filter((line) => line.includes("frame path is off"))).toEqual([
      "echo-socket's WebSocket frame path is off (the transport's WebSocket has other message listeners): echoes go through engine.io",
    ]);
  });

  it("two channels on one server share a WebSocket: each applies its own limits, and either may close first", async () => {
    const http = createServer();
    const io = new Server(http);
    const first = attachEchoSocket(io, { logger: false, namespace: "/a" });
    const second = attachEchoSocket(io, { logger: false, namespace: "/b", maxMessageBytes: 64 });
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    const a = connectClient(`${url}/a`, { reconnection: false, transports: ["websocket"] });
    const b = connectClient(`${url}/b`, { reconnection: false, transports: ["websocket"] }); // multiplexed on a's connection
    cleanups.push(async () => {
      a.disconnect();
      b.disconnect();
      await second.close();
      io.close();
    });
    await Promise.all([waitFor(a, "connect"), waitFor(b, "connect")]);
    expect(a.io).toBe(b.io);
    const long = "x".repeat(100);
    const answers: unknown[] = [];
    b.on("echo", (data) => answers.push(data));
    b.on("echo-socket:error", (error: { code: string }) => answers.push(error.code));
    const sendOnB = async (count: number): Promise<void> => {
      b.emit("ms", "short");
      b.emit("ms", long);
      await until(() => answers.length >= count, { what: `${count} answers on /b` });
    };
    await sendOnB(2);
    a.emit("ms", long);
    expect((await waitFor(a, "echo"))[0]).toBe(long); // /a's limit is its own (100 KB by default)
    expect(answers).toEqual(["short", "message_too_large"]);
    await first.close(); // the inner channel goes first: /b keeps its echo and its limit
    await sendOnB(4);
    expect(answers.slice(2)).toEqual(["short", "message_too_large"]);
  });

  it("when the outer of two channels closes first, the inner one keeps its echo on the same WebSocket", async () => {
    const http = createServer();
    const io = new Server(http);
    const first = attachEchoSocket(io, { logger: false, namespace: "/a" });
    const second = attachEchoSocket(io, { logger: false, namespace: "/b" });
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    const a = connectClient(`${url}/a`, { reconnection: false, transports: ["websocket"] });
    cleanups.push(async () => {
      a.disconnect();
      await first.close();
      io.close();
    });
    await waitFor(a, "connect");
    await second.close();
    expect(await echoRound(a, 20)).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`)); // each once, in order
    expect(first.stats().echoes).toBe(20);
  });

  it("steps aside when perMessageDeflate is on", async () => {
    const logger = recordingLogger();
    server = await startServer({ logger, serverOptions: { perMessageDeflate: { threshold: 0 } } });
    const client = server.connect({ transports: ["websocket"] });
    await waitFor(client, "connect");
    expect(await echoRound(client, 5)).toHaveLength(5);
    expect(logger.lines.some((line) => line.includes("frame path is off (perMessageDeflate is on"))).toBe(true);
  });
});
