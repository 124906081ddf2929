// Real servers for the browser tests, started and stopped by the tests through wtr commands.
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";
import express from "express";
import { Server } from "socket.io";
import { attachEchoSocket, echoSocketRouter } from "../../dist/server/index.js";
import { startScaledDeployment } from "./scaled-deployment.mjs";
import { spawnNode, stopChild } from "./spawn-node.mjs";

/** Hand-written socket.io servers the element must cope with, each a few lines. */
const plainServers = {
  /** The tutorial's server, as written there (minus its logging): answers `ms` with `echo`. */
  tutorial: (socket) => socket.on("ms", (data) => socket.emit("echo", data)),
  /** Something in between cuts every string echo short. */
  truncating: (socket) =>
    socket.on("ms", (data, ...rest) => socket.emit("echo", typeof data === "string" ? data.slice(0, 3) : data, ...rest.filter((a) => typeof a !== "function"))),
  /** Receives and never answers. */
  silent: (socket) => socket.on("ms", () => {}),
  /** Echoes ids like echo-socket (and says so), but loses the first transmission of every message. */
  lossy: (socket, seen) =>
    socket.emit("echo-socket:ready", { delivery: 1 }) &&
    socket.on("ms", (...args) => {
      const ack = typeof args.at(-1) === "function" ? args.pop() : undefined;
      const id = args[1]?.echoSocketId;
      if (!seen.has(id)) return void seen.add(id);
      socket.emit("echo", ...args);
      ack?.({ ok: true, id });
    }),
};

function attachPlainServer(httpServer, kind) {
  const io = new Server(httpServer, { path: "/socket.io", cors: { origin: "*" } });
  const seen = new Set();
  io.on("connection", (socket) => plainServers[kind](socket, seen));
  return { close: () => new Promise((resolve) => io.close(() => resolve())) };
}

/**
 * Starts an Express app with echo-socket (or the tutorial's server) on 127.0.0.1.
 * `port` 0 picks a free one; pass an earlier port to restart "the same server".
 * `flapMs` cuts every connection that often, as a flaky network would. `options` go to `attachEchoSocket`;
 * `routerPath` is where its router is mounted (default `/echo`).
 */
export async function startEchoServer({ kind = "echo-socket", port = 0, flapMs = 0, options = {}, routerPath = "/echo" } = {}) {
  const app = express();
  const httpServer = createServer(app);
  const sockets = new Set();
  httpServer.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  const handle = kind in plainServers ? attachPlainServer(httpServer, kind) : attachEchoSocket(httpServer, { logger: false, ...options });
  if (!(kind in plainServers)) app.use(routerPath, echoSocketRouter({ handle }));
  await new Promise((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen(port, "127.0.0.1", resolve);
  });
  let drops = 0;
  const flapper =
    flapMs > 0
      ? setInterval(() => {
          drops += sockets.size;
          for (const socket of sockets) socket.destroy();
        }, flapMs)
      : undefined;
  const actualPort = httpServer.address().port;
  return {
    port: actualPort,
    url: `http://127.0.0.1:${actualPort}`,
    /** Stops like a crash: connections cut with no goodbye, so clients try to reconnect. Returns its figures. */
    async stop() {
      clearInterval(flapper);
      for (const socket of sockets) socket.destroy();
      const stats = handle.stats?.();
      await handle.close();
      await new Promise((resolve) => httpServer.close(() => resolve()));
      return { drops, stats };
    },
  };
}

/** The same server in a process of its own, so a test can kill it with SIGKILL. */
export async function startEchoServerProcess({ port = 0 } = {}) {
  const script = fileURLToPath(new URL("./echo-server-process.mjs", import.meta.url));
  const { child, match } = await spawnNode(script, { args: [String(port)], ready: /listening (\d+)/ });
  const actualPort = Number(match[1]);
  return {
    port: actualPort,
    url: `http://127.0.0.1:${actualPort}`,
    async stop() {
      await stopChild(child);
      return { drops: 0, stats: undefined };
    },
  };
}

/** `npm run start:cluster` (the built demo) with `workers` workers, on a free loopback port. */
export async function startClusterDemo({ workers = 2 } = {}) {
  const script = fileURLToPath(new URL("../../dist/demo/cluster.js", import.meta.url));
  const env = { PORT: "0", HOST: "127.0.0.1", WORKERS: String(workers), ECHO_SOCKET_OPTIONS: '{"logger":false}' };
  const { child, match } = await spawnNode(script, { env, ready: /open (http:\/\/\S+)\// });
  return {
    url: match[1],
    port: Number(new URL(match[1]).port),
    async stop() {
      await stopChild(child, "SIGTERM"); // the primary stops its workers
      return { drops: 0 };
    },
  };
}

/** What a browser test may do to a running scaled deployment (see scaled-deployment.mjs). */
async function scaledDeploymentAction(deployment, { action, index }) {
  switch (action) {
    case "serving-node":
      return deployment.servingNode();
    case "kill-node":
      await deployment.nodes[index].kill();
      return true;
    case "start-node":
      await deployment.startNode(index);
      return true;
    case "stop-redis":
      await deployment.redis.stop();
      return true;
    case "start-redis":
      await deployment.redis.start();
      return true;
    case "health":
      return deployment.health(index);
    default:
      throw new Error(`unknown scaled deployment action ${action}`);
  }
}

/**
 * A wtr plugin: `executeServerCommand("start-echo-server", {kind, port, flapMs})` (kind "process" runs
 * it in a child process, kind "cluster" is `npm run start:cluster` with `workers`) and `("stop-echo-server", {id})`, which returns the server's figures;
 * `("server-health", {id})`; `("start-scaled-deployment", {options})` (Redis, two nodes, nginx) and
 * `("scaled-deployment", {id, action, index})`.
 */
export function echoServersPlugin() {
  const running = new Map();
  let nextId = 1;
  return {
    name: "echo-servers",
    async executeCommand({ command, payload }) {
      if (command === "start-echo-server") {
        const server =
          payload?.kind === "process"
            ? await startEchoServerProcess(payload)
            : payload?.kind === "cluster"
              ? await startClusterDemo(payload)
              : await startEchoServer(payload ?? {});
        const id = nextId++;
        running.set(id, server);
        return { id, url: server.url, port: server.port };
      }
      if (command === "start-scaled-deployment") {
        const deployment = await startScaledDeployment(payload ?? {});
        const id = nextId++;
        running.set(id, deployment);
        return { id, url: deployment.url, port: deployment.nginx.port };
      }
      if (command === "server-health") {
        // From Node: health answers no cross-origin reads, on purpose.
        return (await fetch(`${running.get(payload.id).url}/echo/health`)).json();
      }
      if (command === "scaled-deployment") {
        return scaledDeploymentAction(running.get(payload.id), payload);
      }
      if (command === "stop-echo-server") {
        const server = running.get(payload.id);
        running.delete(payload.id);
        return (await server?.stop()) ?? true; // wtr takes null as "command not handled"
      }
      return undefined;
    },
    async serverStop() {
      await Promise.all([...running.values()].map((server) => server.stop()));
      running.clear();
    },
  };
}
