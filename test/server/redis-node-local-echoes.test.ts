// Redis mode keeps echoes off Redis (server/recovery/node-local-echoes.ts): two echo-socket nodes in
// this process, each with the Redis Streams adapter and the Redis store on a real redis-server the
// test starts, real socket.io clients. An echo goes to one socket on its node: it is delivered and
// kept for recovery there, and adds nothing to the adapter's stream; an application's broadcast still
// goes through Redis to the other node.
import { createServer } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { createAdapter } from "@socket.io/redis-streams-adapter";
import { Server } from "socket.io";
import { io as connectClient, type Socket as ClientSocket } from "socket.io-client";
import { attachEchoSocket, redisStore } from "../../server/index.js";
import { keepEchoesOnThisNode } from "../../server/recovery/node-local-echoes.js";
import { echoRecoveryOf } from "../../server/recovery/recovery-ring.js";
import { connectedRedisClient, type TestRedisClient } from "../support/redis-client.js";
import { startRedis } from "../support/services.mjs";
import { until } from "../support/until.mjs";
import { dropAfterOneEcho, recordingLogger, startServer, type TestServer, waitFor } from "./helpers.js";

type Redis = Awaited<ReturnType<typeof startRedis>>;
type Ack = { ok: boolean; id?: string; duplicate?: boolean };

let redis: Redis | undefined;
let inspector: TestRedisClient | undefined;
const nodes: Array<{ server: TestServer; client: TestRedisClient; logger: ReturnType<typeof recordingLogger> }> = [];
const clients: ClientSocket[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.disconnect();
  redis?.resume();
  for (const node of nodes.splice(0)) {
    await node.server.close();
    await node.client.quit().catch(() => {});
  }
  await inspector?.quit().catch(() => {});
  inspector = undefined;
  await redis?.stop();
  redis = undefined;
});

/** Redis and `count` echo-socket nodes sharing it, as demo/redis.ts sets a node up. */
async function deploy(count = 2) {
  redis = await startRedis();
  inspector = await connectedRedisClient(redis.url);
  for (let i = 0; i < count; i++) {
    const client = await connectedRedisClient(redis.url);
    const logger = recordingLogger();
    const server = await startServer({ logger, adapter: createAdapter(client), store: redisStore({ client }) });
    nodes.push({ server, client, logger });
  }
  return nodes;
}

async function connected(url: string, options: Record<string, unknown> = {}): Promise<ClientSocket> {
  const client = connectClient(url, { forceNew: true, reconnection: false, transports: ["websocket"], ...options });
  clients.push(client);
  await waitFor(client, "connect");
  return client;
}

/** Entries of the adapter's stream other than its heartbeats (type 1 and 2): broadcasts, joins, ... */
async function streamEntries(): Promise<number> {
  const entries = (await inspector!.sendCommand(["XRANGE", "socket.io", "-", "+"])) as Array<[string, string[]]>;
  return entries.filter(([, fields]) => !["1", "2"].includes(fields[fields.indexOf("type") + 1]!)).length;
}

/** Resolves with the first `count` echoes `client` gets (text and offset, its last argument), in order. */
function echoes(client: ClientSocket, count: number): Promise<Array<[unknown, unknown]>> {
  const got: Array<[unknown, unknown]> = [];
  return new Promise((resolve) => {
    const onEcho = (...args: unknown[]): void => {
      got.push([args[0], args.at(-1)]);
      if (got.length === count) {
        client.off("echo", onEcho);
        resolve(got);
      }
    };
    client.on("echo", onEcho);
  });
}

const STREAM_ID = /^\d+-\d+$/;

describe("Redis mode: echoes stay on their node", () => {
  it("adds nothing to the Redis stream for 100 echoes by the fast path and 100 by socket.io's path, while a broadcast still reaches the other node", async () => {
    const [a, b] = await deploy();
    const [onA, onB] = await Promise.all([connected(a!.server.url), connected(b!.server.url)]);
    const before = await streamEntries();
    const xlenBefore = Number(await inspector!.sendCommand(["XLEN", "socket.io"]));

    // Plain text: the fast path answers it from the frame; socket.io's path would call socket.emit.
    const onNodeA = [...a!.server.handle.io.of("/").sockets.values()][0]!;
    let emitted = 0;
    const emit = onNodeA.emit.bind(onNodeA);
    onNodeA.emit = (event: string, ...args: unknown[]) => {
      if (event === "echo") emitted++;
      return emit(event, ...args);
    };
    const fast = echoes(onA, 100);
    for (let i = 0; i < 100; i++) onA.emit("ms", `fast ${i}`);
    const fastEchoes = await fast;
    expect(emitted).toBe(0);
    expect(fastEchoes.map(([text]) => text)).toEqual(Array.from({ length: 100 }, (_, i) => `fast ${i}`));
    // With an id and an acknowledgement: socket.io's path (socket.emit, through the adapter's broadcast).
    const slow = echoes(onB, 100);
    const acks = await Promise.all(
      Array.from({ length: 100 }, (_, i) => onB.timeout(10_000).emitWithAck("ms", `slow ${i}`, { echoSocketId: `s-${i}` }) as Promise<Ack>),
    );
    expect(acks.every((ack) => ack.ok && ack.duplicate === undefined)).toBe(true);
    const slowEchoes = await slow;
    // Each echo carries this node's recovery offset, not a stream id.
    for (const [, offset] of [...fastEchoes, ...slowEchoes]) expect(offset).toMatch(/^[0-9a-f]{8}[0-9a-z]+$/);

    expect(await streamEntries()).toBe(before);
    // XLEN too, but for the adapters' heartbeats (one per node every 5 s): at most a few in this time.
    const xlenAfter = Number(await inspector!.sendCommand(["XLEN", "socket.io"]));
    expect(xlenAfter - xlenBefore).toBeLessThan(10);

    // The application's broadcast on the namespace goes through Redis: the client on the other node gets it.
    // (Sent again until it arrives: node B reads the stream from the moment its reader started.)
    const news: unknown[][] = [];
    onB.on("news", (...args: unknown[]) => news.push(args));
    await until(
      () => {
        if (news.length === 0) a!.server.handle.io.of("/").emit("news", "to everyone");
        return news.length > 0;
      },
      { interval: 100, what: "node A's broadcast on node B" },
    );
    expect(news[0]![0]).toBe("to everyone");
    expect(news[0]![1]).toMatch(STREAM_ID); // its recovery offset is the stream's
    expect(await streamEntries()).toBeGreaterThan(before);
    for (const node of nodes) expect(node.logger.lines.filter((line) => /not the shape echo-socket knows/.test(line.text))).toEqual([]);
  });

  it("replays to a client that dropped and came back to the same node the echoes it missed, from the node and not Redis", async () => {
    const [a] = await deploy(1);
    const client = await connected(a!.server.url, { reconnection: true, reconnectionDelay: 50 });
    const oldId = await dropAfterOneEcho(client);
    const before = await streamEntries();
    // What an echo still on its way when the connection dropped does: emitted to the socket's id.
    const serverSide = waitFor(a!.server.handle.io, "connection");
    for (let i = 0; i < 3; i++) a!.server.handle.io.to(oldId).emit("echo", `missed ${i}`);
    const replayed = echoes(client, 3);
    await serverSide;
    expect((await replayed).map(([text]) => text)).toEqual(["missed 0", "missed 1", "missed 2"]);
    expect(client.recovered).toBe(true);
    expect(client.id).toBe(oldId);
    expect(await streamEntries()).toBe(before);
    // And echoes after the restore keep flowing, with offsets to recover from again.
    const after = echoes(client, 1);
    client.emit("ms", "after");
    expect((await after)[0]![0]).toBe("after");
  });

  it("restores from the node while Redis is stalled: neither the echo nor the restore waits on Redis", async () => {
    const [a] = await deploy(1);
    const client = await connected(a!.server.url, { reconnection: true, reconnectionDelay: 50 });
    const got: unknown[] = [];
    client.on("echo", (text: unknown) => got.push(text));
    const first = waitFor(client, "echo");
    client.emit("ms", "before");
    await first;
    redis!.pause();
    // No id (an id would wait on Redis for de-duplication) and an object last (a string last would pose as the offset).
    const held = waitFor(client, "echo");
    client.emit("ms", { text: "during" });
    await held;
    const reconnected = waitFor(client, "connect");
    client.io.engine.close();
    await reconnected;
    expect(client.recovered).toBe(true);
    const after = waitFor(client, "echo");
    client.emit("ms", "after");
    await after;
    expect(got).toEqual(["before", { text: "during" }, "after"]); // nothing replayed twice
    redis!.resume();
  });

  it("starts a fresh session for a client that moves to the other node, and recognises its re-sent message there", async () => {
    const [a, b] = await deploy();
    const onA = await connected(a!.server.url);
    const first = waitFor<[string, unknown, string]>(onA, "echo");
    expect(await (onA.timeout(10_000).emitWithAck("ms", "hello", { echoSocketId: "m-1" }) as Promise<Ack>)).toEqual({ ok: true, id: "m-1" });
    const [, , offset] = await first;
    const pid = (onA as unknown as { _pid: string })._pid;
    expect(typeof pid).toBe("string");
    // Node A goes away gracefully (socket.io saves the session on it, and in Redis as before); the client
    // comes to node B with its session id and offset, as it would through a load balancer.
    const dropped = waitFor(onA, "disconnect");
    nodes.splice(nodes.indexOf(a!), 1);
    await a!.server.close();
    await dropped;
    await a!.client.quit();
    const onB = await connected(b!.server.url, { auth: { pid, offset } });
    expect(onB.recovered).toBe(false);
    const echoed = waitFor(onB, "echo");
    expect(await onB.timeout(10_000).emitWithAck("ms", "hello", { echoSocketId: "m-1" })).toEqual({ ok: true, id: "m-1", duplicate: true });
    expect((await echoed)[0]).toBe("hello");
  });

  it("leaves an adapter of another shape alone, with one log line, and a user's own socket.io Server's adapter untouched", async () => {
    const limits = { windowMs: 30_000, maxBytes: 1_000_000, maxReplayBytes: 100_000 };
    const plain = new Server({ connectionStateRecovery: {} });
    try {
      const logger = recordingLogger();
      const adapter = plain.of("/").adapter;
      const broadcast = adapter.broadcast;
      expect(keepEchoesOnThisNode(adapter, limits, logger)).toBe(false);
      expect(adapter.broadcast).toBe(broadcast);
      expect(echoRecoveryOf(adapter)).toBeUndefined();
      expect(logger.lines.map((line) => line.level)).toEqual(["warn"]);
      expect(logger.lines[0]!.text).toMatch(/not the shape echo-socket knows .*echoes go through it/);
    } finally {
      plain.of("/").adapter.close();
    }

    redis = await startRedis();
    const client = await connectedRedisClient(redis.url);
    const io = new Server(createServer(), { adapter: createAdapter(client), connectionStateRecovery: {} });
    try {
      const handle = attachEchoSocket(io, { logger: false, store: redisStore({ client }) });
      expect(echoRecoveryOf(io.of("/").adapter)).toBeUndefined();
      await handle.close();
      // Closed only once it has subscribed: closing the adapter while its clients connect leaves a rejection behind.
      const channels = async (): Promise<number> => ((await client.sendCommand(["PUBSUB", "CHANNELS"])) as string[]).length;
      await until(async () => (await channels()) >= 2, { interval: 20, what: "the adapter's subscriptions" });
    } finally {
      io.engine.close();
      io.of("/").adapter.close();
      await client.quit();
    }
  });
});
