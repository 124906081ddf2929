// `echo-socket serve`: the demo as a command, on the code `npm start` and `npm run start:redis` run.
import { optionsFromEnvironment, serveDemo } from "../demo/app.js";
import type { RedisDemo } from "../demo/redis.js";
import type { ServeOptions } from "./args.js";

/** Starts the demo; resolves once it listens (it then runs until SIGINT or SIGTERM). */
export async function serve({ port, host, allowedOrigins, redis: redisUrl }: ServeOptions): Promise<void> {
  const options = { ...optionsFromEnvironment(), ...(allowedOrigins === "*" ? {} : { allowedOrigins }) };
  if (!redisUrl) {
    await serveDemo({ port, host, options, name: "echo-socket demo", announce: (url) => `echo-socket demo: open ${url}/` });
    return;
  }
  const redis = await (await loadRedisDemo()).connectRedisDemo(redisUrl);
  try {
    const { trustProxy, ...shared } = redis.options;
    await serveDemo({
      port,
      host,
      options: { trustProxy, ...options, ...shared },
      name: "echo-socket node",
      announce: (url) => `echo-socket node: listening on ${url}/ with ${redisUrl}`,
      afterClose: redis.close,
    });
  } catch (error) {
    await redis.close().catch(() => {});
    throw error;
  }
}

/** The Redis pieces load only for --redis: their packages are optional for everyone else. */
async function loadRedisDemo(): Promise<{ connectRedisDemo: (url: string) => Promise<RedisDemo> }> {
  try {
    return await import("../demo/redis.js");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ERR_MODULE_NOT_FOUND") {
      throw new Error("--redis needs the packages redis and @socket.io/redis-streams-adapter: npm install redis @socket.io/redis-streams-adapter");
    }
    throw error;
  }
}
