import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { Adapter } from "socket.io-adapter";
import { Server } from "socket.io";
import { io as connectClient, type Socket as ClientSocket } from "socket.io-client";
import { attachEchoSocket } from "../../server/index.js";
import { until } from "../support/until.mjs";
import { admitted, recordingLogger, startServer, waitFor, type TestServer } from "./helpers.js";

let server: TestServer | undefined;
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  await server?.close();
  server = undefined;
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function listen(httpServer: ReturnType<typeof createServer>): Promise<string> {
  await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
  cleanups.push(() => new Promise((resolve) => httpServer.close(resolve)));
  return `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
}

function client(url: string, options = {}): ClientSocket {
  const socket = connectClient(url, { forceNew: true, reconnection: false, ...options });
  cleanups.push(() => socket.disconnect());
  return socket;
}

describe("custom options", () => {
  it("uses a custom path, namespace and event names", async () => {
    server = await startServer({ path: "/live", namespace: "/chat", receiveEvent: "say", replyEvent: "said" });
    const socket = server.connect({ path: "/live" }, "/chat");
    const echoed = waitFor(socket, "said");
    socket.emit("say", "custom");
    expect((await echoed)[0]).toEqual("custom");
    // The main namespace gets no echo. The test's own handler there answers "heard" after any echo
    // handler registered before it (at attach) would have emitted: "heard" arriving proves none came.
    server.handle.io.of("/").on("connection", (socket) => socket.on("say", () => socket.emit("heard")));
    const mainNamespace = server.connect({ path: "/live" });
    const said: unknown[] = [];
    mainNamespace.on("said", (data) => said.push(data));
    const heard = waitFor(mainNamespace, "heard");
    mainNamespace.emit("say", "not here");
    await heard;
    expect(said).toEqual([]);
    expect(server.handle.stats().echoes).toBe(1);
  });

  it("passes socket.io server options through", async () => {
    server = await startServer({ serverOptions: { transports: ["polling"] } });
    expect(await admitted(server.connect({ transports: ["websocket"] }))).toBe(false);
    const polling = server.connect({ transports: ["polling"] });
    expect(await admitted(polling)).toBe(true);
    expect(polling.io.engine.transport.name).toBe("polling");
  });

  it("does not change the caller's options object", async () => {
    const options = Object.freeze({ path: "/frozen", serverOptions: Object.freeze({ pingInterval: 10_000 }) });
    server = await startServer(options);
    expect(options).toEqual({ path: "/frozen", serverOptions: { pingInterval: 10_000 } });
  });
});

describe("attaching to an existing socket.io Server", () => {
  it("adds the echo and leaves the user's own handlers working, before and after close()", async () => {
    const httpServer = createServer();
    const io = new Server(httpServer);
    cleanups.push(() => io.close());
    io.on("connection", (socket) => socket.on("ping-me", (n: number, ack: (m: number) => void) => ack(n + 1)));
    const url = await listen(httpServer);
    const early = client(url);
    await waitFor(early, "connect");

    const handle = attachEchoSocket(io, { logger: false });
    expect(handle.io).toBe(io);
    const late = client(url);
    for (const socket of [early, late]) {
      expect(await admitted(socket)).toBe(true); // `early` is connected already
      const echoed = waitFor(socket, "echo");
      socket.emit("ms", "both");
      expect((await echoed)[0]).toEqual("both");
      expect(await socket.timeout(10_000).emitWithAck("ping-me", 1)).toBe(2);
    }

    await handle.close();
    expect(await late.timeout(10_000).emitWithAck("ping-me", 41)).toBe(42);
    expect(late.connected).toBe(true);
    // Nothing from echo-socket after close() (no echo, no refusal): whatever it sent for "after close"
    // would come before the reply to the ping sent after it.
    const received: unknown[][] = [];
    late.onAny((...args) => received.push(args));
    late.emit("ms", "after close");
    expect(await late.timeout(10_000).emitWithAck("ping-me", 2)).toBe(3);
    expect(received).toEqual([]);
    expect(handle.stats()).toMatchObject({ echoes: 2, refused: 0 });
  });

  it("refuses options that only fit a server it creates", () => {
    const io = new Server(createServer());
    cleanups.push(() => io.close());
    expect(() => attachEchoSocket(io, { path: "/other" })).toThrow(/`path` cannot change the path/);
    expect(() => attachEchoSocket(io, { serverOptions: { pingInterval: 1 } })).toThrow(/`serverOptions` only applies/);
    expect(() => attachEchoSocket(io, { adapter: class extends Adapter {} })).toThrow(
      /`adapter` only applies when echo-socket creates the socket.io Server; set it on your Server/,
    );
  });
});

describe("logging", () => {
  it("logs connect and disconnect with the socket's own address, ignoring a forged X-Forwarded-For", async () => {
    const logger = recordingLogger();
    server = await startServer({ logger });
    const socket = server.connect({ extraHeaders: { "x-forwarded-for": "6.6.6.6" }, transports: ["polling"] });
    await waitFor(socket, "connect");
    const echoed = waitFor(socket, "echo");
    socket.emit("ms", "secret text");
    await echoed;
    socket.disconnect();
    await until(() => logger.lines.some((line) => line.text.includes("disconnected")), { what: "the disconnect to be logged" });
    expect(logger.lines.map((line) => line.level)).toEqual(["info", "info"]);
    expect(logger.lines[0]!.text).toMatch(/client 127\.0\.0\.1 connected/);
    expect(logger.lines.some((line) => line.text.includes("6.6.6.6"))).toBe(false);
    // Per-message logging is off by default.
    expect(logger.lines.some((line) => line.text.includes("secret text"))).toBe(false);
  });

  it.each([
    [true, "203.0.113.9"],
    [1, "198.51.100.2"],
    [2, "203.0.113.9"],
  ] as const)("with trustProxy %s logs %s", async (trustProxy, expected) => {
    const logger = recordingLogger();
    server = await startServer({ logger, trustProxy });
    const socket = server.connect({ extraHeaders: { "x-forwarded-for": "203.0.113.9, 198.51.100.2" }, transports: ["polling"] });
    await waitFor(socket, "connect");
    expect(logger.lines[0]!.text).toContain(`client ${expected} connected`);
  });

  it("logs each message at debug level when logMessages is on", async () => {
    const logger = recordingLogger();
    server = await startServer({ logger, logMessages: true });
    const socket = server.connect();
    const echoed = waitFor(socket, "echo");
    socket.emit("ms", "logged text");
    await echoed;
    expect(logger.lines).toContainEqual({ level: "debug", text: "message from 127.0.0.1 logged text" });
  });
});

describe("adapter", () => {
  it("creates the server with the adapter given, and echoes through it", async () => {
    class CountingAdapter extends Adapter {
      static broadcasts = 0;
      override broadcast(...args: Parameters<Adapter["broadcast"]>): void {
        CountingAdapter.broadcasts++;
        super.broadcast(...args);
      }
    }
    server = await startServer({ adapter: CountingAdapter });
    expect(server.handle.io.of("/").adapter).toBeInstanceOf(CountingAdapter);
    const client = server.connect();
    await waitFor(client, "connect");
    const echoed = waitFor(client, "echo");
    client.emit("ms", "through the adapter");
    expect((await echoed)[0]).toBe("through the adapter");
    // With recovery on, socket.io sends each emit through the adapter (so it can be stored).
    expect(CountingAdapter.broadcasts).toBeGreaterThanOrEqual(2); // the ready event and the echo
  });
});

describe("keepRequest", () => {
  it.each([
    [false, "let go"],
    [true, "kept"],
  ])("with keepRequest %s the handshake request is %s after the connection is set up", async (keepRequest) => {
    server = await startServer({ keepRequest });
    const seen = new Promise<unknown>((resolve) => server!.handle.io.on("connection", (socket) => resolve(socket.request)));
    await waitFor(server.connect(), "connect");
    const request = await seen;
    expect(request === null).toBe(!keepRequest);
  });

  it.each([
    [false, "let go after the connection handlers"],
    [true, "kept"],
  ])("with keepRequest %s the handshake headers are %s", async (keepRequest) => {
    server = await startServer({ keepRequest });
    const seen = new Promise<{ during: unknown; socket: { handshake: { headers: Record<string, unknown> } } }>((resolve) =>
      server!.handle.io.on("connection", (socket) => resolve({ during: socket.handshake.headers["user-agent"], socket })),
    );
    await waitFor(server.connect({ extraHeaders: { "user-agent": "echo-socket test" } }), "connect");
    const { during, socket } = await seen;
    expect(during).toBe("echo-socket test"); // a connection handler added after attachEchoSocket still reads them
    await new Promise<void>((resolve) => setImmediate(resolve)); // after the connection's tick
    expect(socket.handshake.headers["user-agent"]).toBe(keepRequest ? "echo-socket test" : undefined);
  });
});
