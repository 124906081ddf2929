// The README's many-hosts deployment, for real: one Redis, echo-socket nodes (the built
// `npm run start:redis` script, each its own process) and nginx in front, all on loopback ports.
import { fileURLToPath } from "node:url";
import { freePort, startNginx, startRedis } from "./services.mjs";
import { running, spawnNode, stopChild } from "./spawn-node.mjs";

const NODE_SCRIPT = fileURLToPath(new URL("../../dist/demo/redis-node.js", import.meta.url));

/** One `redis-node.js` process on `port`; resolves once it listens. `log` holds what it printed. */
async function startNode({ port, redisUrl, options }) {
  const env = { PORT: String(port), HOST: "127.0.0.1", REDIS_URL: redisUrl, ECHO_SOCKET_OPTIONS: JSON.stringify(options) };
  const { child, output } = await spawnNode(NODE_SCRIPT, { env, ready: /listening on/, stderr: "pipe" });
  let errors = "";
  child.stderr.on("data", (chunk) => void (errors += chunk));
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    get log() {
      return `${output()}${errors}`.split("\n").filter(Boolean);
    },
    alive: () => running(child),
    /** SIGKILL: a crash, no goodbye to clients. */
    kill: () => stopChild(child, "SIGKILL"),
    /** SIGTERM: the graceful close of a rolling restart (sessions are saved in Redis for other nodes). */
    stop: () => stopChild(child, "SIGTERM"),
  };
}

/**
 * Redis, `nodes` echo-socket nodes sharing it (`options` go to each node's `attachEchoSocket`) and nginx
 * in front. `startNodes: false` starts only Redis and nginx (nodes come later with `startNode(i)`).
 * nginx adds an `X-Echo-Node` header naming the node that answered (tests only).
 */
export async function startScaledDeployment({ nodes = 2, options = {}, startNodes = true } = {}) {
  const redis = await startRedis();
  const ports = await Promise.all(Array.from({ length: nodes }, () => freePort()));
  const started = new Array(nodes).fill(undefined);
  const deployment = {
    redis,
    ports,
    nodes: started,
    nginx: undefined,
    url: "",
    async startNode(index) {
      started[index] = await startNode({ port: ports[index], redisUrl: redis.url, options });
      return started[index];
    },
    /** The index of the node nginx sends this machine's requests to (ip_hash: all of loopback to one). */
    async servingNode() {
      const response = await fetch(`${deployment.url}/echo/health`);
      const upstream = response.headers.get("x-echo-node") ?? "";
      return ports.findIndex((port) => upstream.endsWith(`:${port}`));
    },
    async health(index) {
      const url = index === undefined ? deployment.url : started[index].url;
      return (await fetch(`${url}/echo/health`)).json();
    },
    async stop() {
      await deployment.nginx?.stop();
      await Promise.all(started.map((node) => node?.kill()));
      await redis.stop();
    },
  };
  try {
    if (startNodes) {
      // Every start settles before a failure is reported, so `stop()` reaches the nodes that did start.
      const results = await Promise.allSettled(ports.map((_, index) => deployment.startNode(index)));
      const failure = results.find((result) => result.status === "rejected");
      if (failure) throw failure.reason;
    }
    deployment.nginx = await startNginx(ports, { debugHeader: true });
    deployment.url = deployment.nginx.url;
  } catch (error) {
    await deployment.stop();
    throw error;
  }
  return deployment;
}
