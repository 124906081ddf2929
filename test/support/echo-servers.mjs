// Real servers for the browser tests, started and stopped by the tests through wtr commands.
import { createServer } from "node:http";
import express from "express";
import { Server } from "socket.io";
import { attachEchoSocket, echoSocketRouter } from "../../dist/server/index.js";

/** The tutorial's server, as written there (minus its logging): answers `ms` with `echo`. */
function attachTutorialServer(httpServer) {
  const io = new Server(httpServer, { path: "/socket.io", cors: { origin: "*" } });
  io.on("connection", (socket) => socket.on("ms", (data) => socket.emit("echo", data)));
  return { close: () => new Promise((resolve) => io.close(() => resolve())) };
}

/**
 * Starts an Express app with echo-socket (or the tutorial's server) on 127.0.0.1.
 * `port` 0 picks a free one; pass an earlier port to restart "the same server".
 */
export async function startEchoServer({ kind = "echo-socket", port = 0 } = {}) {
  const app = express();
  const httpServer = createServer(app);
  const sockets = new Set();
  httpServer.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  const handle = kind === "tutorial" ? attachTutorialServer(httpServer) : attachEchoSocket(httpServer, { logger: false });
  if (kind !== "tutorial") app.use("/echo", echoSocketRouter({ handle }));
  await new Promise((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen(port, "127.0.0.1", resolve);
  });
  const actualPort = httpServer.address().port;
  return {
    port: actualPort,
    url: `http://127.0.0.1:${actualPort}`,
    /** Stops like a crash: connections cut with no goodbye, so clients try to reconnect. */
    async stop() {
      for (const socket of sockets) socket.destroy();
      await handle.close();
      await new Promise((resolve) => httpServer.close(() => resolve()));
    },
  };
}

/** A wtr plugin: `executeServerCommand("start-echo-server", {kind, port})` and `("stop-echo-server", {id})`. */
export function echoServersPlugin() {
  const running = new Map();
  let nextId = 1;
  return {
    name: "echo-servers",
    async executeCommand({ command, payload }) {
      if (command === "start-echo-server") {
        const server = await startEchoServer(payload ?? {});
        const id = nextId++;
        running.set(id, server);
        return { id, url: server.url, port: server.port };
      }
      if (command === "stop-echo-server") {
        const server = running.get(payload.id);
        running.delete(payload.id);
        await server?.stop();
        return true;
      }
      return undefined;
    },
    async serverStop() {
      await Promise.all([...running.values()].map((server) => server.stop()));
      running.clear();
    },
  };
}
