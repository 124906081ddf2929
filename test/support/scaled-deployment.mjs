// The README's many-hosts deployment, for real: one Redis, echo-socket nodes (the built
// `npm run start:redis` script, each its own process) and nginx in front, all on loopback ports.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { freePort, startNginx, startRedis } from "./services.mjs";

const NODE_SCRIPT = fileURLToPath(new URL("../../dist/demo/redis-node.js", import.meta.url));

async function signal(child, name) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((resolve) => child.once("exit", resolve));
  child.kill(name);
  await gone;
}

/** One `redis-node.js` process on `port`; resolves once it listens. Its log lines are kept in `log`. */
async function startNode({ port, redisUrl, options }) {
  const child = spawn(process.execPath, [NODE_SCRIPT], {
    env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", REDIS_URL: redisUrl, ECHO_SOCKET_OPTIONS: JSON.stringify(options) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const log = [];
  const collect = (chunk) => log.push(...String(chunk).split("\n").filter(Boolean));
  child.stderr.on("data", collect);
  await new Promise((resolve, reject) => {
    child.stdout.on("data", (chunk) => {
      collect(chunk);
      if (log.some((line) => line.includes("listening on"))) resolve();
    });
    child.once("exit", (code) => reject(new Error(`echo-socket node exited (${code}) before listening: ${log.join("\n")}`)));
  });
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    log,
    alive: () => child.exitCode === null && child.signalCode === null,
    /** SIGKILL: a crash, no goodbye to clients. */
    kill: () => signal(child, "SIGKILL"),
    /** SIGTERM: the graceful close of a rolling restart (sessions are saved in Redis for other nodes). */
    stop: () => signal(child, "SIGTERM"),
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
  const running = new Array(nodes).fill(undefined);
  const deployment = {
    redis,
    ports,
    nodes: running,
    nginx: undefined,
    url: "",
    async startNode(index) {
      running[index] = await startNode({ port: ports[index], redisUrl: redis.url, options });
      return running[index];
    },
    /** The index of the node nginx sends this machine's requests to (ip_hash: all of loopback to one). */
    async servingNode() {
      const response = await fetch(`${deployment.url}/echo/health`);
      const upstream = response.headers.get("x-echo-node") ?? "";
      return ports.findIndex((port) => upstream.endsWith(`:${port}`));
    },
    async health(index) {
      const url = index === undefined ? deployment.url : running[index].url;
      return (await fetch(`${url}/echo/health`)).json();
    },
    async stop() {
      await deployment.nginx?.stop();
      await Promise.all(running.map((node) => node?.kill()));
      await redis.stop();
    },
  };
  try {
    if (startNodes) await Promise.all(ports.map((_, index) => deployment.startNode(index)));
    deployment.nginx = await startNginx(ports, { debugHeader: true });
    deployment.url = deployment.nginx.url;
  } catch (error) {
    await deployment.stop();
    throw error;
  }
  return deployment;
}
