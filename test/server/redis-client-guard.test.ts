// The promises the Redis Streams adapter drops (a session SET, a PUBLISH) must not end the process
// when Redis fails them: vitest fails a run on any unhandled rejection, so these tests check that too.
import { describe, expect, it } from "vitest";
import { createClient } from "redis";
import { redisStore } from "../../server/index.js";
import { guardDroppedCommands } from "../../server/redis-client-guard.js";
import { recordingLogger } from "./helpers.js";

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 10));

describe("guardDroppedCommands", () => {
  it("counts a dropped command's failure, and a caller that waits still sees it", async () => {
    const failure = new Error("no reply");
    const client = { set: () => Promise.reject(failure), get: () => Promise.reject(failure) };
    const seen: unknown[] = [];
    guardDroppedCommands(client, (error) => seen.push(error));
    void client.set(); // dropped, as the adapter's persistSession does
    await expect(client.set()).rejects.toBe(failure);
    await settle();
    expect(seen).toEqual([failure, failure]);
    await expect(client.get()).rejects.toBe(failure); // not a dropped command: left alone
  });

  it("catches node-redis's own rejection of a SET nobody waits on", async () => {
    const client = createClient({ url: "redis://127.0.0.1:1" }); // never connected: every command rejects
    const seen: unknown[] = [];
    guardDroppedCommands(client, (error) => seen.push(error));
    void client.set("sio:session:x", "v", { PX: 1000 });
    void client.publish("channel", "message");
    await settle();
    expect(seen).toHaveLength(2);
  });

  it("is counted by the Redis store, which logs the first one only", async () => {
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
    void client.set();
    void client.set();
    await settle();
    expect(store.droppedCommandErrors).toBe(2);
    expect(logger.lines.filter((line) => /does not wait on failed/.test(line.text))).toHaveLength(1);
    await store.close();
  });
});
