// The hostile-input corpus against a real echo-socket server in its own process (default options).
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { io } from "socket.io-client";
import { startEchoServerProcess, startServerProcess, type ServerProcess } from "../support/server-process.js";
import { hostileCorpus, type CaseContext, type HostileCase } from "./hostile-corpus.js";
import { waitFor } from "./helpers.js";

/** Heap growth allowed over the whole corpus, after GC: bounded, not zero (caches, JIT, pools). */
const HEAP_ALLOWANCE = 64 * 1024 * 1024;

let server: ServerProcess;
let baselineHeap: number;
/** Servers with other options, for the cases that ask for them (keyed by the options' JSON), each with its own baseline heap. */
const variants = new Map<string, { server: ServerProcess; baselineHeap: number }>();

beforeAll(async () => {
  server = await startServerProcess();
  await wellBehavedClientEchoes(server);
  baselineHeap = (await server.memory()).heapUsed;
});
afterAll(async () => {
  if (server?.alive()) {
    const { heapUsed, rss } = await server.memory();
    const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);
    console.log(`hostile corpus: ${hostileCorpus.length} cases; heap after GC ${mb(baselineHeap)} -> ${mb(heapUsed)} MB, RSS ${mb(rss)} MB`);
  }
  await Promise.all([server?.stop(), ...[...variants.values()].map((variant) => variant.server.stop())]);
});

/** The server a case runs against: the shared default one, or a fresh one with the case's options. */
async function targetOf(hostileCase: HostileCase): Promise<{ server: ServerProcess; baselineHeap: number }> {
  if (!hostileCase.serverOptions && !hostileCase.ownServer) {
    if (!server.alive()) {
      // An earlier case killed it (and failed for it): later cases get a server to attack, not a cascade.
      server = await startServerProcess();
      await wellBehavedClientEchoes(server);
      baselineHeap = (await server.memory()).heapUsed;
    }
    return { server, baselineHeap };
  }
  const key = hostileCase.ownServer ? hostileCase.name : JSON.stringify(hostileCase.serverOptions);
  let variant = variants.get(key);
  if (!variant) {
    const started = await startEchoServerProcess({ options: hostileCase.serverOptions });
    await wellBehavedClientEchoes(started);
    variant = { server: started, baselineHeap: (await started.memory()).heapUsed };
    variants.set(key, variant);
  }
  return variant;
}

/**
 * A well-behaved client, fresh and from another address than the attacker (127.0.0.2: all of 127/8
 * is loopback), connects and gets its echo. No time bound: the deadlines only stop a hang, so a slow
 * machine cannot fail it (a server the attack wedged still does).
 */
async function wellBehavedClientEchoes(server: ServerProcess): Promise<void> {
  const client = io(server.url, {
    forceNew: true,
    reconnection: false,
    timeout: 10_000,
    transports: ["websocket"],
    localAddress: "127.0.0.2",
  } as Parameters<typeof io>[1]);
  try {
    const echoed = waitFor(client, "echo", 10_000);
    client.emit("ms", "still here?");
    expect((await echoed)[0]).toBe("still here?");
  } finally {
    client.disconnect();
  }
}

describe("hostile input corpus", () => {
  it("has at least 30 cases, over WebSocket frames, raw TCP and HTTP polling", () => {
    expect(hostileCorpus.length).toBeGreaterThanOrEqual(30);
    expect(new Set(hostileCorpus.map((c) => c.via))).toEqual(new Set(["websocket", "tcp", "polling"]));
  });

  it("is the size the README says", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    expect(Number(/runs a corpus of (\d+) attacks/.exec(readme)?.[1])).toBe(hostileCorpus.length);
  });

  it.each(hostileCorpus.map((c) => [c.name, c] as const))("%s: the server lives on and still echoes", async (_name, hostileCase) => {
    const { server, baselineHeap } = await targetOf(hostileCase);
    const context: CaseContext = { port: server.port, cleanup: [], server };
    try {
      await hostileCase.run(context);
      expect(server.alive()).toBe(true);
      await wellBehavedClientEchoes(server);
      expect(await server.polluted()).toBe(false);
      const { heapUsed } = await server.memory();
      expect(heapUsed - baselineHeap).toBeLessThan(HEAP_ALLOWANCE);
    } finally {
      for (const cleanup of context.cleanup) cleanup();
    }
  });
});
