// A node-redis client for tests, connected, that never throws on a Redis the test stops or pauses.
import { createClient } from "redis";

export async function connectedRedisClient(url: string) {
  const client = createClient({ url });
  client.on("error", () => {}); // node-redis throws without an error listener; the tests read the outcome
  await client.connect();
  return client;
}

export type TestRedisClient = Awaited<ReturnType<typeof connectedRedisClient>>;
