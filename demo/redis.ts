// What makes a demo node one of several sharing Redis: the Redis Streams adapter and the Redis store
// on one connected client. Used by `npm run start:redis` and `echo-socket serve --redis`.
import { createAdapter } from "@socket.io/redis-streams-adapter";
import { createClient } from "redis";
import { redisStore, type AttachOptions } from "../server/index.js";

export interface RedisDemo {
  /** `attachEchoSocket` options: adapter, store, trustProxy. */
  options: Partial<AttachOptions>;
  /** Quits the Redis client (after the echo channel closed). */
  close(): Promise<void>;
}

/** Connects to Redis at `url`; rejects if it does not answer within `timeoutMs`. */
export async function connectRedisDemo(url: string, timeoutMs = 10_000): Promise<RedisDemo> {
  const redis = createClient({ url });
  // The store logs the first error of an outage; without a listener node-redis would throw.
  let lastError: unknown;
  redis.on("error", (error: unknown) => void (lastError = error));
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      redis.connect(),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`Redis at ${url} did not answer within ${timeoutMs / 1000} s${lastError instanceof Error ? ` (${lastError.message})` : ""}`)),
          timeoutMs,
        );
      }),
    ]);
  } catch (error) {
    redis.destroy();
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return {
    options: {
      trustProxy: 1, // behind one proxy: the client address is the last X-Forwarded-For entry
      // Broadcasts across nodes; echoes stay on their node (sent and kept for recovery there, not in Redis).
      adapter: createAdapter(redis),
      store: redisStore({ client: redis }), // de-duplication and per-address limits across nodes
    },
    close: async () => void (await redis.quit()),
  };
}
