// Hostile socket.io servers for the element's tests, as a wtr plugin: `hostileServersPlugin()` in
// web-test-runner.config.mjs's plugins. Loopback only; each stops when its test stops it, or with wtr.
//   ("start-hostile-server", { kind: "refusing" }): refuses every message, rate_limited with retryAfterMs 1e12.
//   ("start-hostile-server", { kind: "flooding", perSecond, seconds }): echoes of nothing sent, perSecond for seconds.
//   ("start-hostile-server", { kind: "status", status, body }): answers every HTTP request (any path,
//     a WebSocket upgrade too) with `status` and `body`, with CORS headers, like an app using cors().
//   ("start-hostile-server", { kind: "websocket-closing" }): socket.io over long-polling (answers `ms`
//     with `echo`), and a WebSocket that is accepted and closed at once, as some proxies and antivirus do.
//   ("start-hostile-server", { kind: "config", config }): socket.io on its defaults (answers `ms` with
//     `echo`), serving the standalone bundle at /echo/echo-socket.js beside a /echo/config.json that
//     never answers (`config` undefined) or answers the text `config`.
//   ("start-hostile-server", { kind: "silent" }): announces that it echoes ids, then never acknowledges
//     nor echoes a message (each transmission counted in `sends`).
//   ("stop-hostile-server", { id }) -> { sends, echoes }: messages received, echoes emitted.
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { Server } from "socket.io";
import { WebSocketServer } from "ws";

/** Answers everything with one HTTP status (readable cross-origin: CORS headers on it). */
async function startStatusServer({ status = 404, body = "Not Found" }) {
  const httpServer = createServer((_req, res) => {
    res.writeHead(status, { "Content-Type": body.startsWith("{") ? "application/json" : "text/plain", "Access-Control-Allow-Origin": "*" }).end(body);
  });
  httpServer.on("upgrade", (_req, socket) => socket.end(`HTTP/1.1 ${status} Refused\r\nConnection: close\r\n\r\n`));
  return listen(httpServer, { requests: 0 }, async () => {});
}

/** A router's bundle beside a `config.json` that hangs (or says `config`), and an echo server on the defaults. */
async function startConfigServer({ config }) {
  const bundle = await readFile(new URL("../../dist/echo-socket.js", import.meta.url));
  const figures = { sends: 0, echoes: 0, configRequests: 0 };
  const httpServer = createServer((req, res) => {
    if (req.url.startsWith("/echo/echo-socket.js")) return res.writeHead(200, { "Content-Type": "text/javascript" }).end(bundle);
    if (!req.url.startsWith("/echo/config.json")) return res.writeHead(404).end();
    figures.configRequests++;
    // Undefined: the request is held until the server stops (closeAllConnections).
    if (config !== undefined) res.writeHead(200, { "Content-Type": "application/json", "Access-Control-Allow-Origin": "*" }).end(config);
  });
  const io = new Server(httpServer, { cors: { origin: "*" } });
  io.on("connection", (socket) =>
    socket.on("ms", (data) => {
      figures.sends++;
      figures.echoes++;
      socket.emit("echo", data);
    }),
  );
  return listen(httpServer, figures, async () => {
    httpServer.closeAllConnections(); // the held config.json request too: else closing waits for it
    await new Promise((resolve) => io.close(() => resolve()));
  });
}

/** socket.io long-polling only; its WebSocket upgrades are accepted and closed before any handshake. */
async function startWebSocketClosingServer() {
  const httpServer = createServer();
  const figures = { sends: 0, echoes: 0, websocketsClosed: 0 };
  // Polling only: engine.io then leaves upgrade requests alone, and this server takes them.
  const io = new Server(httpServer, { transports: ["polling"], cors: { origin: "*" } });
  io.on("connection", (socket) =>
    socket.on("ms", (data) => {
      figures.sends++;
      figures.echoes++;
      socket.emit("echo", data);
    }),
  );
  const wss = new WebSocketServer({ noServer: true });
  const upgraded = new Set();
  httpServer.on("upgrade", (req, socket, head) => {
    upgraded.add(socket);
    socket.on("close", () => upgraded.delete(socket));
    wss.handleUpgrade(req, socket, head, (ws) => {
      figures.websocketsClosed++;
      ws.close(1000);
    });
  });
  return listen(httpServer, figures, async () => {
    // An upgraded socket still counts for httpServer.close(), which io.close() waits on: a browser slow
    // to answer the close frame held the stop for ws's 30 s close timeout. Nothing is measured from here on.
    for (const socket of upgraded) socket.destroy();
    wss.close();
    httpServer.closeAllConnections?.();
    await new Promise((resolve) => io.close(() => resolve()));
  });
}

async function listen(httpServer, figures, close) {
  await new Promise((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${httpServer.address().port}`,
    async stop() {
      await close();
      httpServer.closeAllConnections?.();
      await new Promise((resolve) => httpServer.close(() => resolve()));
      return figures;
    },
  };
}

async function startHostileServer({ kind, perSecond = 10_000, seconds = 3, ...options }) {
  if (kind === "status") return startStatusServer(options);
  if (kind === "websocket-closing") return startWebSocketClosingServer();
  if (kind === "config") return startConfigServer(options);
  const httpServer = createServer();
  const io = new Server(httpServer, { cors: { origin: "*" } });
  const figures = { sends: 0, echoes: 0 };
  const timers = new Set();
  io.on("connection", (socket) => {
    socket.emit("echo-socket:ready", { delivery: 1 });
    if (kind === "refusing") {
      socket.on("ms", (...args) => {
        figures.sends++;
        const ack = args.at(-1);
        if (typeof ack === "function") ack({ ok: false, error: { code: "rate_limited", message: "Refused by a hostile server.", retryAfterMs: 1e12 } });
      });
    } else if (kind === "silent") {
      socket.on("ms", () => figures.sends++);
    } else if (kind === "flooding") {
      const perTick = Math.ceil(perSecond / 100);
      const total = perSecond * seconds;
      const timer = setInterval(() => {
        for (let i = 0; i < perTick && figures.echoes < total; i++) socket.emit("echo", `flood ${figures.echoes++}`);
        if (figures.echoes >= total) clearInterval(timer);
      }, 10);
      timers.add(timer);
      socket.on("disconnect", () => clearInterval(timer));
    } else {
      socket.disconnect(true);
    }
  });
  await new Promise((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
  const { port } = httpServer.address();
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      for (const timer of timers) clearInterval(timer);
      await new Promise((resolve) => io.close(() => resolve()));
      httpServer.closeAllConnections?.();
      return figures;
    },
  };
}

export function hostileServersPlugin() {
  const running = new Map();
  let nextId = 1;
  return {
    name: "hostile-servers",
    async executeCommand({ command, payload }) {
      if (command === "start-hostile-server") {
        const server = await startHostileServer(payload ?? {});
        const id = nextId++;
        running.set(id, server);
        return { id, url: server.url };
      }
      if (command === "stop-hostile-server") {
        const server = running.get(payload.id);
        running.delete(payload.id);
        return (await server?.stop()) ?? true;
      }
      return undefined;
    },
    async serverStop() {
      await Promise.all([...running.values()].map((server) => server.stop()));
      running.clear();
    },
  };
}
