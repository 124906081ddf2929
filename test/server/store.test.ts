// The store interface with stores of the test's own making (async, failing) and the memory store's
// per-address allowance, on a real http.Server and real socket.io-client.
import { afterEach, describe, expect, it } from "vitest";
import { memoryStore, type EchoStore, type EchoStoreFactory } from "../../server/index.js";
import { until } from "../support/until.mjs";
import { recordingLogger, startServer, waitFor, type TestServer } from "./helpers.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** The memory store, but every de-duplication answer comes later, after `delayMs(id)`, or fails for `failing`. */
function slowStore(delayMs: (id: string) => number, failing = new Set<string>()): EchoStoreFactory {
  return (config) => {
    const inner: EchoStore = memoryStore()(config);
    return Object.assign(Object.create(inner) as EchoStore, {
      seenBefore: (id: string) =>
        new Promise<boolean>((resolve, reject) =>
          setTimeout(() => (failing.has(id) ? reject(new Error(`store failed on ${id}`)) : resolve(inner.seenBefore(id) as boolean)), delayMs(id)),
        ),
    });
  };
}

describe("stores", () => {
  it("keeps echoes in the order messages came, when the store answers late and out of order", async () => {
    // Early ids answer slowest; messages without an id (the fast path's) are interleaved.
    server = await startServer({ store: slowStore((id) => 40 - Number(id.slice(2))) });
    const client = server.connect();
    await waitFor(client, "connect");
    const echoes: string[] = [];
    client.on("echo", (text: string) => echoes.push(text));
    const sent: string[] = [];
    for (let i = 0; i < 40; i++) {
      const text = `message ${i}`;
      sent.push(text);
      if (i % 3 === 0) client.emit("ms", text);
      else client.emit("ms", text, { echoSocketId: `m-${i}` });
    }
    await until(() => echoes.length >= 40, { what: "40 echoes" });
    expect(echoes).toEqual(sent);
  });

  it("loses only the message a failing store was asked about, logs it, and goes on", async () => {
    const logger = recordingLogger();
    server = await startServer({ logger, store: slowStore(() => 1, new Set(["m-1"])) });
    const client = server.connect();
    await waitFor(client, "connect");
    const echoes: string[] = [];
    client.on("echo", (text: string) => echoes.push(text));
    for (let i = 0; i < 3; i++) client.emit("ms", `message ${i}`, { echoSocketId: `m-${i}` });
    const last = await client.timeout(10_000).emitWithAck("ms", "after", { echoSocketId: "m-3" });
    expect(last).toEqual({ ok: true, id: "m-3" });
    expect(echoes).toEqual(["message 0", "message 2", "after"]);
    expect(logger.lines.some((line) => line.level === "error" && line.text.includes("store failed on m-1"))).toBe(true);
  });

  it("holds messagesPerSecondPerAddress over all connections from one address (memory store)", async () => {
    server = await startServer({ messagesPerSecondPerAddress: 10 });
    const [first, second] = [server.connect(), server.connect()];
    await Promise.all([waitFor(first, "connect"), waitFor(second, "connect")]);
    const acks = await Promise.all(
      [first, second].flatMap((client, c) => Array.from({ length: 8 }, (_, i) => client.timeout(10_000).emitWithAck("ms", `c${c} ${i}`))),
    );
    expect(acks.filter((ack) => ack.ok)).toHaveLength(10);
    const refused = acks.filter((ack) => !ack.ok);
    expect(refused).toHaveLength(6);
    for (const ack of refused) {
      expect(ack.error).toMatchObject({ code: "rate_limited" });
      expect(ack.error.message).toContain("accepts 10 a second");
      expect(ack.error.retryAfterMs).toBeGreaterThan(0);
    }
  });
});
