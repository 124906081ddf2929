// One of several echo-socket nodes sharing one Redis, behind a load balancer such as nginx (see the
// README's "Scaling out"): `REDIS_URL=redis://127.0.0.1:6379 PORT=3001 npm run start:redis`.
import { serveDemo, optionsFromEnvironment } from "./app.js";
import { connectRedisDemo } from "./redis.js";

const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const redis = await connectRedisDemo(redisUrl);
const { trustProxy, ...shared } = redis.options;

await serveDemo({
  port: Number(process.env.PORT ?? 3000),
  host: process.env.HOST ?? "localhost",
  options: { trustProxy, ...optionsFromEnvironment(), ...shared },
  name: "echo-socket node",
  announce: (url) => `echo-socket node: listening on ${url}/ with ${redisUrl}`,
  afterClose: redis.close,
});
