// Several echo-socket nodes sharing one real Redis, behind real nginx: the built `npm run start:redis`
// script, started by the tests on loopback ports (`.ci/run` installs redis-server and nginx).
import { afterEach, describe, expect, it } from "vitest";
import { io as connectClient, type Socket as ClientSocket } from "socket.io-client";
import { redisStore } from "../../server/index.js";
import { startScaledDeployment } from "../support/scaled-deployment.mjs";
import { connectedRedisClient, type TestRedisClient } from "../support/redis-client.js";
import { startRedis } from "../support/services.mjs";
import { until } from "../support/until.mjs";
import { recordingLogger, waitFor } from "./helpers.js";

type Deployment = Awaited<ReturnType<typeof startScaledDeployment>>;
type Ack = { ok: boolean; id?: string; duplicate?: boolean; error?: { code: string } };

let deployment: Deployment | undefined;
const clients: ClientSocket[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.disconnect();
  deployment?.redis.resume();
  await deployment?.stop();
  deployment = undefined;
});

async function deploy(options: Record<string, unknown> = {}): Promise<Deployment> {
  deployment = await startScaledDeployment({ options });
  return deployment;
}

/** A socket.io client to `url`, connected. */
async function connected(url: string, options: Record<string, unknown> = {}): Promise<ClientSocket> {
  const client = connectClient(url, { forceNew: true, reconnection: false, transports: ["websocket"], ...options });
  clients.push(client);
  await waitFor(client, "connect");
  return client;
}

function send(client: ClientSocket, text: string, id?: string): Promise<Ack> {
  return id === undefined ? client.timeout(10_000).emitWithAck("ms", text) : client.timeout(10_000).emitWithAck("ms", text, { echoSocketId: id });
}

describe("scale-out: two nodes, one Redis, nginx in front", () => {
  it("recognises a message re-sent to the other node as a duplicate, and echoes it again", async () => {
    const { nodes } = await deploy();
    const [onA, onB] = await Promise.all([connected(nodes[0]!.url), connected(nodes[1]!.url)]);
    expect(await send(onA, "hello", "m-1")).toEqual({ ok: true, id: "m-1" });
    const echoed = waitFor(onB, "echo");
    expect(await send(onB, "hello", "m-1")).toEqual({ ok: true, id: "m-1", duplicate: true });
    expect((await echoed)[0]).toBe("hello");
    // Redis was there all along: no node reported it missing (a first script run is no outage).
    expect(nodes.flatMap((node) => node!.log).filter((line) => /Redis unavailable/.test(line))).toEqual([]);
  });

  it("bounds the shared de-duplication window by dedupWindowSize across the cluster, oldest out first", async () => {
    const { nodes } = await deploy({ dedupWindowSize: 3 });
    const [onA, onB] = await Promise.all([connected(nodes[0]!.url), connected(nodes[1]!.url)]);
    for (let i = 1; i <= 5; i++) expect((await send(onA, `m${i}`, `w-${i}`)).duplicate).toBeUndefined();
    expect((await send(onB, "m1", "w-1")).duplicate).toBeUndefined(); // pushed out by w-4 and w-5
    expect(await send(onB, "m5", "w-5")).toMatchObject({ duplicate: true });
  });

  it("keeps cluster-wide totals in Redis: echoes counted on a node that died still count", async () => {
    const { nodes } = await deploy();
    const [onA, onB] = await Promise.all([connected(nodes[0]!.url), connected(nodes[1]!.url)]);
    for (let i = 0; i < 3; i++) await send(onA, `a${i}`, `t-a${i}`);
    for (let i = 0; i < 2; i++) await send(onB, `b${i}`, `t-b${i}`);
    // Each node writes its counts to Redis once a second (shared-counters.test.ts, on a clock): wait for node A's 3.
    const inspector = await connectedRedisClient(deployment!.redis.url);
    try {
      const written = async (): Promise<string[]> => {
        const keys = (await inspector.sendCommand(["KEYS", "echo-socket:counts:*"])) as string[];
        return (await Promise.all(keys.map((key) => inspector.hGet(key, "echoes")))).map(String).sort();
      };
      await until(async () => (await written()).join() === "2,3", { interval: 50, what: "both nodes' counts in Redis" });
    } finally {
      await inspector.quit();
    }
    await nodes[0]!.kill();
    expect(await deployment!.health(1)).toMatchObject({ echoes: 5, connections: 1, nodes: 1 });
  });

  it("holds the per-address message allowance across both nodes", async () => {
    const { nodes } = await deploy({ messagesPerSecondPerAddress: 20 });
    const [onA, onB] = await Promise.all([connected(nodes[0]!.url), connected(nodes[1]!.url)]);
    // The allowance's one-second window starts at the first message: all 30 fall inside it.
    const fromA = await Promise.all(Array.from({ length: 15 }, (_, i) => send(onA, `a${i}`, `a-${i}`)));
    const fromB = await Promise.all(Array.from({ length: 15 }, (_, i) => send(onB, `b${i}`, `b-${i}`)));
    const accepted = [...fromA, ...fromB].filter((ack) => ack.ok).length;
    const refused = [...fromA, ...fromB].filter((ack) => !ack.ok);
    expect(fromA.every((ack) => ack.ok)).toBe(true);
    expect(accepted).toBe(20);
    expect(refused.every((ack) => ack.error?.code === "rate_limited")).toBe(true);
  });

  it("holds the per-address connection cap across both nodes, and health counts connections cluster-wide", async () => {
    const { nodes } = await deploy({ maxConnectionsPerAddress: 3 });
    await connected(nodes[0]!.url);
    await connected(nodes[0]!.url);
    await connected(nodes[1]!.url);
    // A fourth handshake, on node B, where this address has only one connection.
    const refused = await fetch(`${nodes[1]!.url}/socket.io/?EIO=4&transport=polling`);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ message: "too many connections from this address" });
    for (const index of [0, 1]) {
      expect(await deployment!.health(index)).toMatchObject({ status: "ok", connections: 3, nodes: 2, store: "redis" });
    }
  });

  it("fails over when node A is killed: the client reconnects through nginx to node B, which recognises the re-sent message", async () => {
    const { url, nodes } = await deploy();
    const client = await connected(url, { reconnection: true, reconnectionDelay: 100, reconnectionDelayMax: 200 });
    expect((await send(client, "before", "k-1")).ok).toBe(true);
    const serving = await deployment!.servingNode();
    expect(serving).toBeGreaterThanOrEqual(0);
    await nodes[serving]!.kill(); // SIGKILL: node A never saves the session
    await waitFor(client, "connect", 25_000);
    expect(client.recovered).toBe(false);
    expect(await deployment!.servingNode()).toBe(1 - serving);
    // What the element does after a failover: send again whatever had no echo yet.
    expect(await send(client, "before", "k-1")).toEqual({ ok: true, id: "k-1", duplicate: true });
    expect(await send(client, "after", "k-2")).toEqual({ ok: true, id: "k-2" });
  });

  it("starts a fresh session on node B when node A closes gracefully (a rolling restart), and recognises the re-sent message", async () => {
    const { url, nodes } = await deploy();
    const client = await connected(url, { reconnection: true, reconnectionDelay: 100, reconnectionDelayMax: 200, transports: ["polling", "websocket"] });
    expect((await send(client, "before", "g-1")).ok).toBe(true);
    const serving = await deployment!.servingNode();
    await nodes[serving]!.stop(); // SIGTERM: close() saves each session, but echoes' recovery is node A's own
    await waitFor(client, "connect", 25_000);
    // Echoes never went through Redis (node-local-echoes.ts): node B has nothing to replay them from.
    expect(client.recovered).toBe(false);
    expect(await deployment!.servingNode()).toBe(1 - serving);
    // What the element does on a fresh session: send again whatever had no echo yet; the Redis store knows the id.
    expect(await send(client, "before", "g-1")).toEqual({ ok: true, id: "g-1", duplicate: true });
    expect(await send(client, "after", "g-2")).toEqual({ ok: true, id: "g-2" });
  });

  it("keeps echoing while Redis is down, says so in health and the log, and resumes shared state when Redis returns", async () => {
    const { url, nodes, redis } = await deploy();
    const client = await connected(url, { reconnection: true });
    const echoes: unknown[] = [];
    client.on("echo", (text) => echoes.push(text));
    expect((await send(client, "one", "r-1")).ok).toBe(true);

    await redis.stop();
    await until(async () => (await deployment!.health()).status === "degraded", { interval: 50, timeout: 10_000, what: "health to say degraded" });
    expect(await deployment!.health()).toMatchObject({ status: "degraded", error: "shared store unreachable", store: "redis" });
    // Echoes keep flowing on the node; de-duplication falls back to its memory.
    expect(await send(client, "two", "r-2")).toEqual({ ok: true, id: "r-2" });
    expect(await send(client, "two", "r-2")).toEqual({ ok: true, id: "r-2", duplicate: true });
    expect(nodes.some((node) => node!.log.some((line) => /Redis unavailable: .*this node's memory/.test(line)))).toBe(true);

    await redis.start();
    // The adapter finds the other node again by its heartbeat (every 5 s).
    await until(
      async () => {
        const health = await deployment!.health();
        return health.status === "ok" && health.nodes === 2;
      },
      { interval: 50, timeout: 20_000, what: "health to say ok again, with both nodes" },
    );
    expect(await deployment!.health()).toMatchObject({ status: "ok", nodes: 2, connections: 1 });
    expect((await send(client, "three", "r-3")).ok).toBe(true);
    await until(() => echoes.length === 4, { timeout: 10_000, what: "four echoes" });
    expect(echoes.slice(0, 4)).toEqual(["one", "two", "two", "three"]);
    // The totals came back with Redis (it restarted empty): each node writes its own counts again.
    expect(await deployment!.health()).toMatchObject({ echoes: 3 });
    expect(nodes.some((node) => node!.log.some((line) => /Redis reachable again/.test(line)))).toBe(true);
  });

  it("survives a Redis stall: echoes flow node-locally, new clients get ready, health says degraded, the flood is refused", async () => {
    // 256 KiB: three held echoes of the flood are past it. The flood must be read before the node finds the
    // stall (its probe, 500 ms): the fewer messages that takes, the less a loaded machine can miss it by.
    const { nodes, redis } = await deploy({ maxBufferedBytes: 256 * 1024 });
    const node = nodes[0]!;
    const [other, victim, attacker] = await Promise.all([connected(node.url), connected(node.url), connected(node.url)]);
    const refusals: string[] = [];
    attacker.on("echo-socket:error", (error: { code: string }) => refusals.push(error.code));

    redis.pause();
    const payload = "a".repeat(120 * 1024);
    for (let i = 0; i < 300; i++) attacker.emit("ms", payload, { echoSocketId: `flood-${i}` });
    // Dropped while Redis is silent: socket.io saves its session with a SET nobody waits on.
    victim.io.engine.close();

    // Another client's echo arrives while Redis is still stopped.
    const echoed = waitFor(other, "echo", 10_000);
    expect(await send(other, "during", "s-1")).toEqual({ ok: true, id: "s-1" });
    expect((await echoed)[0]).toBe("during");
    await until(async () => (await deployment!.health(0)).status === "degraded", { interval: 50, timeout: 10_000, what: "health to say degraded" });
    expect(await deployment!.health(0)).toMatchObject({ status: "degraded", store: "redis", nodes: 1 });
    // A new client gets its ready signal from this node.
    const fresh = connectClient(node.url, { forceNew: true, reconnection: false, transports: ["websocket"] });
    clients.push(fresh);
    await waitFor(fresh, "echo-socket:ready", 10_000);
    // The flood's messages waited on Redis (de-duplication) and were echoed at once when the stall was found:
    // what the connection had not taken counted toward maxBufferedBytes, and the rest was refused.
    await until(() => refusals.includes("slow_consumer"), { timeout: 10_000, what: "the flood to be refused as slow_consumer" });
    expect(node.alive()).toBe(true);

    redis.resume();
    await until(async () => (await deployment!.health(0)).status === "ok", { interval: 50, timeout: 10_000, what: "health to say ok again" });
    expect(await send(other, "after", "s-2")).toEqual({ ok: true, id: "s-2" });
    expect(nodes.every((each) => each!.alive())).toBe(true);
    expect(nodes.flatMap((each) => each!.log).filter((line) => /unhandled|TimeoutError\n|^\s+at /i.test(line))).toEqual([]);
  });

  it("keeps a connection's echoes in order through a stall, the per-address allowance answering from memory", async () => {
    const { nodes, redis } = await deploy({ messagesPerSecondPerAddress: 1000 });
    const client = await connected(nodes[0]!.url);
    const echoes: string[] = [];
    client.on("echo", (text: string) => echoes.push(text));
    expect(await send(client, "before", "o-0")).toEqual({ ok: true, id: "o-0" });
    redis.pause();
    // The first ones wait on Redis (the allowance, the adapter's XADD) until the stall is found; the rest
    // come after it is: all are echoed, in the order sent, while Redis is still stopped.
    const sent = Array.from({ length: 20 }, (_, i) => `during-${i}`);
    const acks = await Promise.all(sent.map((text, i) => send(client, text, `o-${i + 1}`)));
    expect(acks.every((ack) => ack.ok)).toBe(true);
    await until(() => echoes.length === 21, { timeout: 10_000, what: "every echo" });
    expect(echoes).toEqual(["before", ...sent]);
    redis.resume();
  });

  it("echoes without waiting on a stalled Redis, and a brief drop restores the session from the node, nothing replayed twice", async () => {
    const { nodes, redis } = await deploy();
    const client = await connected(nodes[0]!.url, { reconnection: true, reconnectionDelay: 50 });
    const echoes: unknown[] = [];
    client.on("echo", (data: unknown) => echoes.push(data));
    expect(await send(client, "before")).toEqual({ ok: true });
    redis.pause();
    // No id (an id would wait on Redis for de-duplication first) and an object last (a string last would
    // pose as the client's recovery offset). The echo is kept on the node, not XADDed: it comes at once.
    client.emit("ms", { text: "during" });
    await until(() => echoes.length === 2, { timeout: 10_000, what: "the echo, while Redis is stalled" });
    const reconnected = waitFor(client, "connect");
    client.io.engine.close(); // a brief drop, back to the same node: the node's own ring restores it
    await reconnected;
    expect(client.recovered).toBe(true);
    redis.resume();
    expect(await send(client, "after")).toEqual({ ok: true });
    expect(echoes).toEqual(["before", { text: "during" }, "after"]);
  });

  it("keeps echoes out of the adapter's stream in Redis: 7 MB of echoes add no broadcast to it (the trim is tested below)", async () => {
    const { nodes, redis } = await deploy({ recoveryBufferBytes: 2_000_000 });
    const client = await connected(nodes[0]!.url);
    const payload = "b".repeat(120 * 1024);
    for (let i = 0; i < 60; i++) expect((await send(client, payload, `big-${i}`)).ok).toBe(true); // 7 MB
    const inspector = await connectedRedisClient(redis.url);
    try {
      const entries = (await inspector.sendCommand(["XRANGE", "socket.io", "-", "+"])) as Array<[string, string[]]>;
      // Only the adapters' heartbeats (types 1 and 2); an echo would be a broadcast (type 3).
      expect(entries.filter(([, fields]) => !["1", "2"].includes(fields[fields.indexOf("type") + 1]!))).toEqual([]);
      expect(Number(await inspector.sendCommand(["MEMORY", "USAGE", "socket.io"]))).toBeLessThan(10_000);
    } finally {
      await inspector.quit();
    }
  });

  it('keeps an address literally "#total" apart from the node\'s connection total (trustProxy: true)', async () => {
    const { nodes, redis } = await deploy({ trustProxy: true, maxConnectionsPerAddress: 2 });
    const from = (address: string) => connected(nodes[0]!.url, { extraHeaders: { "X-Forwarded-For": address } });
    await from("10.0.0.1");
    await from("10.0.0.2");
    await from("10.0.0.3");
    // Three connections on the node: an address read as the total would be over its cap of 2.
    await from("#total");
    await from("#total");
    const refused = await fetch(`${nodes[0]!.url}/socket.io/?EIO=4&transport=polling`, { headers: { "X-Forwarded-For": "#total" } });
    expect(refused.status).toBe(403);
    const inspector = await connectedRedisClient(redis.url);
    try {
      // One hash per node; the other node's holds no connections.
      const keys = (await inspector.sendCommand(["KEYS", "echo-socket:connections:*"])) as string[];
      const hashes = await Promise.all(keys.map((key) => inspector.hGetAll(key)));
      expect(hashes).toContainEqual(expect.objectContaining({ total: "5", "a:#total": "2", "a:10.0.0.1": "1" }));
    } finally {
      await inspector.quit();
    }
  });
});

describe("scale-out: the stream trim", () => {
  /** A Redis, and a Redis store on its own (no nodes) trimming the streams `streams` name, for `test`. */
  async function withStore(maxBytes: number, streams: { streamName: string; streamCount?: number }, test: (client: TestRedisClient) => Promise<void>) {
    const redis = await startRedis();
    const client = await connectedRedisClient(redis.url);
    const config = { dedupWindowSize: 10, dedupWindowMs: 1000, messagesPerSecondPerAddress: 0, logger: recordingLogger(), recoveryBufferBytes: maxBytes };
    const store = redisStore({ client, ...streams })(config);
    try {
      await test(client);
    } finally {
      await store.close();
      await client.quit().catch(() => {});
      await redis.stop();
    }
  }

  it("bounds the stream by its entries' bytes, summed from the newest, whatever their mix of sizes", async () => {
    const maxBytes = 2_000_000;
    await withStore(maxBytes, { streamName: "mixed" }, async (client) => {
      // Small entries first and large ones after: Redis's sampled MEMORY USAGE saw only the small ones.
      for (let i = 0; i < 600; i++) await client.sendCommand(["XADD", "mixed", "*", "data", "s"]);
      const large = "L".repeat(100 * 1024);
      for (let i = 0; i < 200; i++) await client.sendCommand(["XADD", "mixed", "*", "data", large]); // 20 MB
      const kept = async (): Promise<number> =>
        ((await client.sendCommand(["XRANGE", "mixed", "-", "+"])) as [string, string[]][]).reduce((sum, [, fields]) => sum + fields.join("").length, 0);
      await until(async () => (await kept()) <= maxBytes, { interval: 50, timeout: 10_000, what: "the stream to be trimmed to its byte budget" });
      expect(await kept()).toBeGreaterThan(maxBytes - large.length - 10); // the newest entries that fit stay
    });
  });

  it("trims each of the adapter's streams when its streamCount is above 1 (<streamName>-<i>)", async () => {
    const maxBytes = 300_000;
    await withStore(maxBytes, { streamName: "echoes", streamCount: 2 }, async (client) => {
      const names = ["echoes-0", "echoes-1"];
      const payload = "c".repeat(50 * 1024);
      for (const name of names) for (let i = 0; i < 30; i++) await client.sendCommand(["XADD", name, "*", "data", payload]); // 1.5 MB each
      const usage = async (name: string): Promise<number> => Number(await client.sendCommand(["MEMORY", "USAGE", name]));
      const trimmed = async (): Promise<boolean> => (await Promise.all(names.map(usage))).every((bytes) => bytes <= maxBytes * 1.25);
      await until(trimmed, { interval: 50, timeout: 10_000, what: "both streams to be trimmed" });
      expect(await trimmed()).toBe(true);
      for (const name of names) expect(Number(await client.sendCommand(["XLEN", name]))).toBeGreaterThan(0); // the newest entries stay
    });
  });
});
