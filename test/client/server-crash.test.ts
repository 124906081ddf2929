// The headless client's promise, end to end: messages sent while the server process is killed and
// replaced are each echoed exactly once, in the order they were sent, and none fails.
import type { ChildProcess } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { EchoClient, type MessageEntry } from "../../client/index.js";
import { startServerProcess, ECHO_SERVER_SCRIPT, type ServerProcess } from "../support/server-process.js";
import { running, spawnNode, stopChild } from "../support/spawn-node.mjs";

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** A client that reconnects quickly, with what it reported: echo events per entry and the order entries were echoed in. */
function watchedClient(url: string) {
  const client = new EchoClient({ url, socketOptions: { reconnectionDelay: 50, reconnectionDelayMax: 250 } });
  cleanup.push(() => client.close());
  const echoEvents = new Map<MessageEntry, number>();
  const echoedInOrder: unknown[] = [];
  client.on("echo", ({ entry }) => {
    if (entry) echoEvents.set(entry, (echoEvents.get(entry) ?? 0) + 1);
  });
  client.on("entry", ({ entry }) => {
    if (entry.state === "echoed") echoedInOrder.push(entry.data);
  });
  return { client, echoEvents, echoedInOrder };
}

/** Resolves once the client reports `status`. */
function statusReached(client: EchoClient, status: string): Promise<void> {
  if (client.status === status) return Promise.resolve();
  return new Promise((resolve) => {
    const off = client.on("status", (event) => {
      if (event.status !== status) return;
      off();
      resolve();
    });
  });
}

describe("EchoClient across a server crash", () => {
  it("sends 50 messages while its server is SIGKILLed and a fresh process starts on the same port: each echoed once, in order, none failed", async () => {
    let server: ServerProcess = await startServerProcess();
    cleanup.push(() => server.stop());
    const { client, echoEvents, echoedInOrder } = watchedClient(server.url);
    await statusReached(client, "connected");

    const sent = Array.from({ length: 50 }, (_, i) => `message ${i + 1}`);
    const outcomes = sent.slice(0, 20).map((text) => client.send(text).outcome);
    await server.stop(); // SIGKILL with messages in flight
    await statusReached(client, "reconnecting");
    outcomes.push(...sent.slice(20, 40).map((text) => client.send(text).outcome)); // queued while the port is dead
    server = await startServerProcess(ECHO_SERVER_SCRIPT, [String(server.port)]);
    outcomes.push(...sent.slice(40).map((text) => client.send(text).outcome));

    const results = await Promise.all(outcomes);
    expect(results.map((result) => result.state)).toEqual(sent.map(() => "echoed"));
    expect(echoedInOrder).toEqual(sent);
    expect([...echoEvents.values()]).toEqual(sent.map(() => 1));
    expect(client.unsent()).toEqual([]);
  });
});

describe("EchoClient against the cluster demo (npm run start:cluster)", () => {
  let demo: ChildProcess | undefined;
  afterEach(async () => {
    if (demo && running(demo)) await stopChild(demo);
  });

  it("keeps every message when the worker holding its connection is killed: each echoed once, in order, none failed", async () => {
    const started = await spawnNode("dist/demo/cluster.js", {
      env: { PORT: "0", HOST: "127.0.0.1", WORKERS: "2" },
      ready: /open (http:\/\/\S+)\//,
    });
    demo = started.child;
    const url = started.match[1]!;
    const workerPids = (): number[] => [...started.output().matchAll(/worker (\d+) ready/g)].map((m) => Number(m[1]));
    /** Resolves when `count` workers have announced themselves ready since the start (replacements included). */
    const readyWorkers = (count: number): Promise<void> =>
      new Promise((resolve) => {
        const check = (): void => {
          if (workerPids().length < count) return;
          demo!.stdout!.off("data", check);
          resolve();
        };
        demo!.stdout!.on("data", check);
        check();
      });
    await readyWorkers(2);

    const { client, echoEvents, echoedInOrder } = watchedClient(url);
    await statusReached(client, "connected");
    // A connection handed to a replacement worker before it listens is dropped and times out (20 s).
    const connectErrors: string[] = [];
    client.on("status", ({ error }) => void (error && connectErrors.push(error.message)));
    const sent = Array.from({ length: 50 }, (_, i) => `message ${i + 1}`);
    const outcomes = sent.slice(0, 20).map((text) => client.send(text).outcome);
    // Kill each worker in turn, so the one holding the client's connection is killed with messages in flight.
    const [first, second] = workerPids();
    process.kill(first!, "SIGKILL");
    await readyWorkers(3);
    outcomes.push(...sent.slice(20, 35).map((text) => client.send(text).outcome));
    process.kill(second!, "SIGKILL");
    await readyWorkers(4);
    outcomes.push(...sent.slice(35).map((text) => client.send(text).outcome));

    const results = await Promise.all(outcomes);
    expect(results.map((result) => result.state)).toEqual(sent.map(() => "echoed"));
    expect(echoedInOrder).toEqual(sent);
    expect([...echoEvents.values()]).toEqual(sent.map(() => 1));
    expect(connectErrors).not.toContain("timeout");
  });
});
