// One of several echo-socket nodes sharing one Redis, behind a load balancer such as nginx (see the
// README's "Scaling out"): `REDIS_URL=redis://127.0.0.1:6379 PORT=3001 npm run start:redis`.
import type { AddressInfo } from "node:net";
import { createAdapter } from "@socket.io/redis-streams-adapter";
import { createClient } from "redis";
import { redisStore } from "../server/index.js";
import { closeOnSignals, createDemoApp, optionsFromEnvironment } from "./app.js";

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? "localhost";
const redis = createClient({ url: process.env.REDIS_URL ?? "redis://127.0.0.1:6379" });
// The store logs the first error of an outage; without a listener node-redis would throw.
redis.on("error", () => {});
await redis.connect();

const { server, echo } = createDemoApp({
  trustProxy: 1, // behind one proxy: the client address is the last X-Forwarded-For entry
  ...optionsFromEnvironment(),
  adapter: createAdapter(redis), // socket.io events and connection state recovery across nodes
  store: redisStore({ client: redis }), // de-duplication and per-address limits across nodes
}, { metrics: true }); // this node's figures: Prometheus scrapes each node
server.listen(port, host, () => {
  const { port: actualPort } = server.address() as AddressInfo;
  console.log(`echo-socket node: listening on http://${host}:${actualPort}/ with ${process.env.REDIS_URL ?? "redis://127.0.0.1:6379"}`);
});
closeOnSignals("echo-socket node", async () => {
  await echo.close();
  await new Promise((resolve) => server.close(resolve));
  await redis.quit();
});
