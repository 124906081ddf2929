// Alone in its file (vitest gives each file its own worker): the timer hook sees only this file's timers.
// Timers are counted with async_hooks because process.getActiveResourcesInfo() leaves out unref'd ones.
import { createHook } from "node:async_hooks";
import type { EventEmitter } from "node:events";
import { createServer, get, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createAdapter } from "@socket.io/redis-streams-adapter";
import { Server } from "socket.io";
import { io as connectClient, type Socket as ClientSocket } from "socket.io-client";
import { attachEchoSocket, redisStore } from "../../server/index.js";
import { RawWebSocket } from "../support/raw-websocket.js";
import { connectedRedisClient } from "../support/redis-client.js";
import { startRedis } from "../support/services.mjs";
import { until } from "../support/until.mjs";
import { waitFor } from "./helpers.js";

/** Every `Timeout` (unref'd ones too) created while tracking and not yet destroyed: its rank and the stack that made it. */
const alive = new Map<number, { rank: number; stack: string }>();
let made = 0;
/** The test's own polling timers, left out. */
const ignored = new Set<number>();
const hook = createHook({
  init(id, type) {
    if (type !== "Timeout") return;
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 30;
    alive.set(id, { rank: ++made, stack: new Error().stack!.split("\n").slice(2).join("\n") });
    Error.stackTraceLimit = limit;
  },
  destroy: (id) => void alive.delete(id),
});
afterEach(() => {
  hook.disable();
  alive.clear();
});

/** Lets a turn of the event loop pass: destroy hooks run asynchronously, after a timer is cleared. */
const pause = (ms = 20): Promise<void> => new Promise((resolve) => ignored.add(Number(setTimeout(resolve, ms))));

/** Waits (up to `ms`) until `items()` is empty, as sockets finish closing over a few turns; returns what is left. */
async function drained(items: () => string[], ms = 3000): Promise<string[]> {
  // until()'s own deadline is read from the clock, and its pauses are ours: it adds no timer the test would see.
  await until(() => items().length === 0, { timeout: ms, interval: 20, pause }).catch(() => undefined);
  return items();
}

/** Stacks of the timers alive, made after rank `after`, made where `from` says (a file, a function). */
function timers(from?: RegExp, after = 0): string[] {
  const left = [...alive].filter(([id, { rank, stack }]) => !ignored.has(id) && rank > after && (!from || from.test(stack)));
  return left.map(([, { stack }]) => stack);
}
/** A timer echo-socket's own code (a .ts file under server/) set, not one a library set for it (node-redis's command timeouts). */
const OURS = /at setTimeout|at setInterval/;
const ourTimers = (): string[] => timers(OURS).filter((stack) => /\/server\/(?:[\w-]+\/)*[\w-]+\.ts/.test(madeIn(stack)));

/** The store's own probe timer (not node-redis's timeout of the PING), made after rank `after`. */
const probeTimers = (after: number): string[] => timers(OURS, after).filter((stack) => /\.probe /.test(madeIn(stack)));

/** The frame that called setTimeout/setInterval. */
function madeIn(stack: string): string {
  const lines = stack.split("\n");
  return lines[lines.findIndex((line) => /at (setTimeout|setInterval) \(node:timers/.test(line)) + 1] ?? "";
}

/**
 * Resolves once the Redis Streams adapter's subscriber has subscribed to its two channels: a SUBSCRIBE
 * still unanswered when Redis stalls is rejected, unhandled, inside the adapter when close() disconnects
 * its subscriber (seen on a loaded machine as "Disconnects client").
 */
async function adapterSubscribed(redis: { sendCommand(args: string[]): Promise<unknown> }): Promise<void> {
  const channels = async (): Promise<number> => ((await redis.sendCommand(["PUBSUB", "CHANNELS"])) as string[]).length;
  await until(async () => (await channels()) >= 2, { interval: 20, pause, what: "the adapter's subscriptions" });
}

function listeners(emitter: Pick<EventEmitter, "eventNames" | "listenerCount">): Record<string, number> {
  return Object.fromEntries(emitter.eventNames().map((name) => [String(name), emitter.listenerCount(name)]));
}

function portOf(server: HttpServer): number {
  return (server.address() as AddressInfo).port;
}

function body(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false }, (res) => {
      let text = "";
      res
        .setEncoding("utf8")
        .on("data", (chunk) => (text += chunk))
        .on("end", () => resolve(text));
    }).on("error", reject);
  });
}

/** A half-open session (engine.io polling handshake, never a CONNECT) and a binary event whose attachment never comes. */
async function stragglers(port: number): Promise<RawWebSocket> {
  expect(await body(`http://127.0.0.1:${port}/socket.io/?EIO=4&transport=polling`)).toMatch(/^0\{/);
  const raw = await RawWebSocket.connected(port);
  raw.sendText('451-["ms",{"_placeholder":true,"num":0}]');
  // The guard's attachment timer shows the packet has been read.
  expect(await drained(() => (timers(/expectAttachments/).length > 0 ? [] : ["no attachment timer"]))).toEqual([]);
  return raw;
}

function connectAll(url: string, transports: string[][]): Promise<ClientSocket[]> {
  const sockets = transports.map((list) => connectClient(url, { forceNew: true, reconnection: false, transports: list }));
  return Promise.all(
    sockets.map(async (socket) => {
      await waitFor(socket, "connect");
      return socket;
    }),
  );
}

describe("close()", () => {
  it("on a server it made: disconnects everyone, gives the HTTP server its listeners back, leaves no timer or listener", async () => {
    const reference = new Server(createServer()).engine; // socket.io's own engine listeners
    const httpServer = createServer((_req, res) => res.end("still here"));
    const httpBefore = listeners(httpServer);
    hook.enable();
    const handle = attachEchoSocket(httpServer, { logger: false });
    await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
    const port = portOf(httpServer);
    const url = `http://127.0.0.1:${port}`;
    const sockets = await connectAll(url, [["polling", "websocket"], ["polling"], ["websocket"]]);
    expect(await sockets[0]!.timeout(10_000).emitWithAck("ms", "hi")).toMatchObject({ ok: true });
    const raw = await stragglers(port);
    expect(handle.stats().connections).toBe(4);

    const disconnected = Promise.all(sockets.map((socket) => waitFor(socket, "disconnect")));
    await handle.close();
    await disconnected;
    expect(await raw.until(() => raw.closeReceived)).toBe(true);
    raw.destroy(); // it never answers the close frame: ws would wait 30 s for it
    expect(handle.stats().connections).toBe(0);
    expect(await handle.close()).toBeUndefined(); // a second close is harmless
    expect(listeners(handle.io.engine)).toEqual(listeners(reference));
    expect(listeners(httpServer)).toEqual(httpBefore);
    // socket.io's routes are gone; the user's own handler answers everything again.
    expect(await body(`${url}/socket.io/?EIO=4&transport=polling`)).toBe("still here");
    expect(await body(`${url}/socket.io/socket.io.js`)).toBe("still here");

    await new Promise((resolve) => httpServer.close(resolve));
    expect(await drained(() => timers())).toEqual([]);
  });

  it("on the user's socket.io server: a connection that stays open gets its listeners back, no timer of echo-socket's is left", async () => {
    const httpServer = createServer();
    const io = new Server(httpServer);
    await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
    const port = portOf(httpServer);
    const [keeper] = await connectAll(`http://127.0.0.1:${port}`, [["websocket"]]);
    const socket = [...io.of("/").sockets.values()][0]!;
    const before = { engine: listeners(io.engine), http: listeners(httpServer), conn: listeners(socket.conn), socket: listeners(socket) };
    hook.enable();
    const handle = attachEchoSocket(io, { logger: false });
    expect(await keeper!.timeout(10_000).emitWithAck("ms", "hi")).toMatchObject({ ok: true });
    const raw = await stragglers(port);

    await handle.close();
    expect(keeper!.connected).toBe(true);
    expect({ engine: listeners(io.engine), http: listeners(httpServer), conn: listeners(socket.conn), socket: listeners(socket) }).toEqual(before);
    expect(await drained(() => ourTimers())).toEqual([]);

    keeper!.disconnect();
    raw.destroy();
    await new Promise((resolve) => io.close(resolve));
  });

  it("with the Redis store and adapter, Redis stalled: no timer or client listener is left, and a late PING reply writes nothing", async () => {
    const redis = await startRedis();
    const [client, inspector] = await Promise.all([connectedRedisClient(redis.url), connectedRedisClient(redis.url)]);
    try {
      const clientBefore = listeners(client as unknown as EventEmitter);
      const httpServer = createServer();
      hook.enable();
      const store = redisStore({ client, commandTimeoutMs: 5000 });
      // shutdownTimeoutMs 0: close() does not wait on the held echo, so it runs while Redis is still "reachable".
      const handle = attachEchoSocket(httpServer, { logger: false, adapter: createAdapter(client), store, shutdownTimeoutMs: 0 });
      await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
      const [socket] = await connectAll(`http://127.0.0.1:${portOf(httpServer)}`, [["websocket"]]);
      expect(await socket!.timeout(10_000).emitWithAck("ms", "hi")).toMatchObject({ ok: true });
      expect(await inspector.keys("echo-socket:connections:*")).toHaveLength(1);
      await adapterSubscribed(inspector);

      redis.pause();
      const stalled = made;
      // An emit through the adapter's cluster path (to more than one socket) waits on Redis (its XADD); echoes do not.
      handle.io
        .of("/")
        .to([[...handle.io.of("/").sockets.keys()][0]!, "elsewhere"])
        .emit("news", "held");
      // A probe PING went out after the stall and waits for its reply (its timer is alive).
      expect(await drained(() => (probeTimers(stalled).length > 0 ? [] : ["no probe in flight"]), 5000)).toEqual([]);
      const closing = handle.close();
      await waitFor(socket!, "disconnect");
      // close() cancels the probe's timer. Left to fire, it marked Redis unreachable, and the PING's late
      // reply then counted as Redis coming back: the node's hash was written again after close()'s DEL.
      expect(await drained(() => probeTimers(stalled), 8000)).toEqual([]);
      redis.resume(); // the late PING reply, then close()'s own commands, are answered
      await closing;
      await inspector.ping(); // Redis answered everything sent before this, in order...
      await client.ping(); // ...and whatever the late reply set going was sent before this
      await inspector.ping();
      expect(await inspector.keys("echo-socket:connections:*")).toEqual([]);
      expect(listeners(client as unknown as EventEmitter)).toEqual(clientBefore);

      await new Promise((resolve) => httpServer.close(resolve));
      expect(await drained(() => ourTimers())).toEqual([]);
    } finally {
      redis.resume();
      await Promise.allSettled([client.quit(), inspector.quit()]);
      await redis.stop();
    }
  });

  it("with the Redis adapter alone, Redis stalled: an emit still waiting on Redis leaves no timer behind", async () => {
    const redis = await startRedis();
    const client = await connectedRedisClient(redis.url);
    try {
      const httpServer = createServer();
      hook.enable();
      // The memory store: always "reachable", so only close() ends the wait on Redis.
      const handle = attachEchoSocket(httpServer, { logger: false, adapter: createAdapter(client), shutdownTimeoutMs: 0 });
      await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
      await connectAll(`http://127.0.0.1:${portOf(httpServer)}`, [["websocket"]]);
      const serverSocket = [...handle.io.of("/").sockets.values()][0]!;
      const adapter = handle.io.of("/").adapter as unknown as { heldBytes(id: string): number };
      await adapterSubscribed(client);
      redis.pause();
      // An emit through the adapter's cluster path (to more than one room) waits on Redis; an echo no longer does.
      handle.io.of("/").to([serverSocket.id, "elsewhere"]).emit("news", "held");
      expect(await drained(() => (adapter.heldBytes(serverSocket.id) > 0 ? [] : ["nothing held"]))).toEqual([]);
      await handle.close();
      expect(adapter.heldBytes(serverSocket.id)).toBe(0);
      expect(await drained(() => ourTimers())).toEqual([]);
      await new Promise((resolve) => httpServer.close(resolve));
    } finally {
      redis.resume();
      await client.quit().catch(() => {});
      await redis.stop();
    }
  });
});
