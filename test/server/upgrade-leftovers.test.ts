// Issue 17 (idle memory): on a server echo-socket made, what engine.io keeps of a WebSocket upgrade
// (the upgrade response's `close` listener, holding the request; `onUpgradeError`) is let go once
// the connection is open, unless a middleware of the user's saw the response; admission counts are
// kept without a closure per connection.
import { afterEach, describe, expect, it, vi } from "vitest";
import { io as connectClient, type Socket as ClientSocket } from "socket.io-client";
import type { Socket } from "socket.io";
import { releaseUpgradeLeftovers } from "../../server/admission/upgrade-leftovers.js";
import { startServer, waitFor, type TestServer } from "./helpers.js";

let server: TestServer | undefined;
const clients: ClientSocket[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.disconnect();
  await server?.close();
  server = undefined;
});

const RESPONSE_CLOSE = '() => this.emit("close")';

type Listener = ((...args: unknown[]) => void) & { listener?: unknown };
interface NetSocket {
  rawListeners(event: string): Listener[];
}
interface WsSocket {
  _socket: NetSocket;
  listeners(event: string): Listener[];
}

/** The TCP socket and the `ws` socket under a socket.io socket on the WebSocket transport. */
function sockets(socket: Socket): { net: NetSocket; ws: WsSocket } {
  const ws = (socket.conn as unknown as { transport: { socket: WsSocket } }).transport.socket;
  return { net: ws._socket, ws };
}

const responseListeners = (net: NetSocket): number => net.rawListeners("close").filter((listener) => String(listener.listener) === RESPONSE_CLOSE).length;

function connect(url: string, options: Record<string, unknown> = {}): ClientSocket {
  const client = connectClient(url, { forceNew: true, reconnection: false, transports: ["websocket"], ...options });
  clients.push(client);
  return client;
}

async function connected(url: string, options: Record<string, unknown> = {}): Promise<{ client: ClientSocket; socket: Socket }> {
  const seen = new Promise<Socket>((resolve) => server!.handle.io.once("connection", resolve));
  const client = connect(url, options);
  await waitFor(client, "connect");
  return { client, socket: await seen };
}

describe("WebSocket upgrade leftovers", () => {
  it("are let go on a server echo-socket made, and the connection echoes and closes as before", async () => {
    const logger = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    server = await startServer({ logger });
    const { client, socket } = await connected(server.url);
    const { net, ws } = sockets(socket);
    expect(responseListeners(net)).toBe(0);
    expect(ws.listeners("error").map((listener) => listener.name)).not.toContain("onUpgradeError");
    expect(ws.listeners("error").length).toBeGreaterThan(0); // the transport's own stays
    expect(logger.warn).not.toHaveBeenCalled();

    const echoed = waitFor(client, "echo");
    client.emit("ms", "still echoed");
    expect((await echoed)[0]).toBe("still echoed");
    expect(server.handle.stats().connections).toBe(1);
    client.disconnect();
    await vi.waitFor(() => expect(server!.handle.stats().connections).toBe(0));
  });

  it("are kept when a middleware of the user's saw the upgrade response: its close event still comes", async () => {
    server = await startServer();
    const closed = vi.fn();
    server.handle.io.engine.use((_req: unknown, res: { on(event: string, fn: () => void): void }, next: () => void) => {
      res.on("close", closed);
      next();
    });
    const { client, socket } = await connected(server.url);
    expect(responseListeners(sockets(socket).net)).toBe(1);
    client.disconnect();
    await vi.waitFor(() => expect(closed).toHaveBeenCalled());
  });

  it("are kept on the user's own socket.io server", async () => {
    const { Server } = await import("socket.io");
    const { attachEchoSocket } = await import("../../server/index.js");
    const { createServer } = await import("node:http");
    const http = createServer();
    const io = new Server(http);
    const handle = attachEchoSocket(io, { logger: false });
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    try {
      const seen = new Promise<Socket>((resolve) => io.once("connection", resolve));
      const client = connect(`http://127.0.0.1:${(http.address() as { port: number }).port}`);
      await waitFor(client, "connect");
      const socket = await seen;
      expect(responseListeners(sockets(socket).net)).toBe(1);
      expect(socket.request).not.toBeNull();
    } finally {
      await handle.close();
      io.close();
    }
  });

  it("counts a connection that began polling and upgraded, and frees its slot when it closes", async () => {
    server = await startServer({ maxConnectionsPerAddress: 1 });
    const { client } = await connected(server.url, { transports: ["polling", "websocket"] });
    await vi.waitFor(() => expect(client.io.engine.transport.name).toBe("websocket"));
    const echoed = waitFor(client, "echo");
    client.emit("ms", "upgraded");
    expect((await echoed)[0]).toBe("upgraded");
    client.disconnect();
    await vi.waitFor(() => expect(server!.handle.stats().connections).toBe(0));
    // The address's one slot is free again.
    const again = connect(server.url);
    await waitFor(again, "connect");
  });

  it("keeps per-address counts by the forwarded address (trustProxy) after the request is let go", async () => {
    server = await startServer({ maxConnectionsPerAddress: 1, trustProxy: true });
    const first = connect(server.url, { extraHeaders: { "x-forwarded-for": "203.0.113.7" } });
    await waitFor(first, "connect");
    const refused = connect(server.url, { extraHeaders: { "x-forwarded-for": "203.0.113.7" } });
    await waitFor(refused, "connect_error");
    first.disconnect();
    await vi.waitFor(() => expect(server!.handle.stats().connections).toBe(0));
    const again = connect(server.url, { extraHeaders: { "x-forwarded-for": "203.0.113.7" } });
    await waitFor(again, "connect");
  });

  it("steps aside with one log line when engine.io is not the shape it knows", () => {
    const warn = vi.fn();
    const logger = { info: vi.fn(), warn, error: vi.fn() };
    const none = releaseUpgradeLeftovers({ on() {}, off() {} }, logger);
    none.connected({});
    expect(warn).toHaveBeenCalledTimes(1);

    warn.mockClear();
    let onHeaders: ((headers: unknown, req: unknown) => void) | undefined;
    const engine = { middlewares: [], on: (_: string, fn: typeof onHeaders) => void (onHeaders = fn), off: () => void (onHeaders = undefined) };
    const leftovers = releaseUpgradeLeftovers(engine, logger);
    const socket = { rawListeners: () => [Object.assign(() => {}, { listener: () => {} })], off: vi.fn() };
    onHeaders!({}, { headers: { upgrade: "websocket" }, socket });
    expect(socket.off).not.toHaveBeenCalled();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(onHeaders).toBeUndefined(); // no longer listening

    const ws = { listeners: () => [function onError() {}], off: vi.fn() };
    leftovers.connected({ transport: { name: "websocket", socket: ws }, request: { _query: { transport: "websocket" } } });
    leftovers.connected({ transport: { name: "websocket", socket: ws }, request: { _query: { transport: "websocket" } } });
    expect(ws.off).not.toHaveBeenCalled();
    expect(warn).toHaveBeenCalledTimes(2);
  });
});
