// The promises the Redis Streams adapter drops (a session SET, a PUBLISH) must not end the process
// when Redis fails them: vitest fails a run on any unhandled rejection, so these tests check that too.
import { describe, expect, it } from "vitest";
import { createClient } from "redis";
import { redisStore } from "../../server/index.js";
import { guardDroppedCommands } from "../../server/state/redis-client-guard.js";
import { recordingLogger } from "./helpers.js";

/** An `onError` that records what it is given; `reached` resolves once it has been called `n` times. */
function countTo(n: number): { seen: unknown[]; reached: Promise<void>; onError: (error: unknown) => void } {
  const seen: unknown[] = [];
  let done!: () => void;
  const reached = new Promise<void>((resolve) => (done = resolve));
  return { seen, reached, onError: (error) => void (seen.push(error) === n && done()) };
}

describe("guardDroppedCommands", () => {
  it("counts a dropped command's failure, and a caller that waits still sees it", async () => {
    const failure = new Error("no reply");
    const client = { set: () => Promise.reject(failure), get: () => Promise.reject(failure) };
    const { seen, reached, onError } = countTo(2);
    guardDroppedCommands(client, onError);
    void client.set(); // dropped, as the adapter's persistSession does
    await expect(client.set()).rejects.toBe(failure);
    await reached;
    expect(seen).toEqual([failure, failure]);
    await expect(client.get()).rejects.toBe(failure); // not a dropped command: left alone
  });

  it("catches node-redis's own rejection of a SET nobody waits on", async () => {
    const client = createClient({ url: "redis://127.0.0.1:1" }); // never connected: every command rejects
    const { seen, reached, onError } = countTo(2);
    guardDroppedCommands(client, onError);
    void client.set("sio:session:x", "v", { PX: 1000 });
    void client.publish("channel", "message");
    await reached;
    expect(seen).toHaveLength(2);
  });

  it("is counted by the Redis store, which logs the first one only, until it is closed", async () => {
    const logger = recordingLogger();
    const client = {
      isReady: false,
      sendCommand: () => Promise.reject(new Error("closed")),
      set: () => Promise.reject(new Error("timed out")),
      on: () => client,
      off: () => client,
    };
    const store = redisStore({ client })({ dedupWindowSize: 10, dedupWindowMs: 1000, messagesPerSecondPerAddress: 0, logger }) as unknown as {
      droppedCommandErrors: number;
      close(): Promise<void>;
    };
    // The guard's handler was attached first, so it has run once these settle.
    await Promise.allSettled([client.set(), client.set()]);
    expect(store.droppedCommandErrors).toBe(2);
    expect(logger.lines.filter((line) => /does not wait on failed/.test(line.text))).toHaveLength(1);
    await store.close();
    await Promise.allSettled([client.set()]);
    expect(store.droppedCommandErrors).toBe(2); // a closed store is no longer told (nor kept alive by the client)
  });
});
