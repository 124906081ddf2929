// Several echo-socket nodes sharing one real Redis, behind real nginx: the built `npm run start:redis`
// script, started by the tests on loopback ports (`.ci/run` installs redis-server and nginx).
import { afterEach, describe, expect, it } from "vitest";
import { io as connectClient, type Socket as ClientSocket } from "socket.io-client";
import { startScaledDeployment } from "../support/scaled-deployment.mjs";
import { waitFor } from "./helpers.js";

type Deployment = Awaited<ReturnType<typeof startScaledDeployment>>;
type Ack = { ok: boolean; id?: string; duplicate?: boolean; error?: { code: string } };

let deployment: Deployment | undefined;
const clients: ClientSocket[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.disconnect();
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
  return id === undefined ? client.timeout(5000).emitWithAck("ms", text) : client.timeout(5000).emitWithAck("ms", text, { echoSocketId: id });
}

async function until(condition: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
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
    await new Promise((resolve) => setTimeout(resolve, 1500)); // each node adds its counts once a second
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
    await waitFor(client, "connect", 15_000);
    expect(client.recovered).toBe(false);
    expect(await deployment!.servingNode()).toBe(1 - serving);
    // What the element does after a failover: send again whatever had no echo yet.
    expect(await send(client, "before", "k-1")).toEqual({ ok: true, id: "k-1", duplicate: true });
    expect(await send(client, "after", "k-2")).toEqual({ ok: true, id: "k-2" });
  });

  it("recovers the session on node B when node A closes gracefully (a rolling restart)", async () => {
    const { url, nodes } = await deploy();
    const client = await connected(url, { reconnection: true, reconnectionDelay: 100, reconnectionDelayMax: 200, transports: ["polling", "websocket"] });
    expect((await send(client, "before", "g-1")).ok).toBe(true);
    const serving = await deployment!.servingNode();
    await nodes[serving]!.stop(); // SIGTERM: close() saves each session in Redis (the Redis Streams adapter)
    await waitFor(client, "connect", 15_000);
    expect(client.recovered).toBe(true);
    expect(await deployment!.servingNode()).toBe(1 - serving);
    expect(await send(client, "after", "g-2")).toEqual({ ok: true, id: "g-2" });
  });

  it("keeps echoing while Redis is down, says so in health and the log, and resumes shared state when Redis returns", async () => {
    const { url, nodes, redis } = await deploy();
    const client = await connected(url, { reconnection: true });
    const echoes: unknown[] = [];
    client.on("echo", (text) => echoes.push(text));
    expect((await send(client, "one", "r-1")).ok).toBe(true);

    await redis.stop();
    await until(async () => (await deployment!.health()).status === "degraded", 5000, "health to say degraded");
    expect(await deployment!.health()).toMatchObject({ status: "degraded", error: "shared store unreachable", store: "redis" });
    // Echoes keep flowing on the node; de-duplication falls back to its memory.
    expect(await send(client, "two", "r-2")).toEqual({ ok: true, id: "r-2" });
    expect(await send(client, "two", "r-2")).toEqual({ ok: true, id: "r-2", duplicate: true });
    expect(nodes.some((node) => node!.log.some((line) => /Redis unavailable: .*this node's memory/.test(line)))).toBe(true);

    await redis.start();
    // The adapter finds the other node again by its heartbeat (every 5 s).
    await until(async () => {
      const health = await deployment!.health();
      return health.status === "ok" && health.nodes === 2;
    }, 20_000, "health to say ok again, with both nodes");
    expect(await deployment!.health()).toMatchObject({ status: "ok", nodes: 2, connections: 1 });
    expect((await send(client, "three", "r-3")).ok).toBe(true);
    await until(() => echoes.length === 4, 2000, "four echoes");
    expect(echoes.slice(0, 4)).toEqual(["one", "two", "two", "three"]);
    // The totals came back with Redis (it restarted empty): each node writes its own counts again.
    expect(await deployment!.health()).toMatchObject({ echoes: 3 });
    expect(nodes.some((node) => node!.log.some((line) => /Redis reachable again/.test(line)))).toBe(true);
  });
});
