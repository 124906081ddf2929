// `node serve.mjs <kind> [json options]`: one contender in its own process, on 127.0.0.1, port 0.
// Prints "listening <port>"; over IPC answers "memory" with { rss, heapUsed } after a GC (--expose-gc),
// "cpu" with the CPU time it has used, in microseconds, and "sample" with { sample: true, rss,
// heapUsed, cpuMicros } without a GC (the soak asks every second: a forced GC would be what it measures).
// The Redis kinds take { redisUrl } in the options and share that Redis with the other nodes.
import { createServer } from "node:http";
import { Server } from "socket.io";
import { WebSocketServer } from "ws";
import express from "express";
import { attachEchoSocket, echoSocketRouter } from "../../dist/server/index.js";

const [kind, json] = process.argv.slice(2);
const options = json ? JSON.parse(json) : {};
const app = express();
const server = createServer(app);

const contenders = {
  /** echo-socket in Redis mode, as `npm run start:redis` configures it: Redis Streams adapter and Redis store. */
  "echo-socket-redis": async () => {
    const { redisUrl, ...rest } = options;
    const { connectRedisDemo } = await import("../../dist/demo/redis.js");
    const redis = await connectRedisDemo(redisUrl);
    // The demo trusts one proxy (nginx); here clients connect directly.
    const { trustProxy: _behindNginx, ...shared } = redis.options;
    attachEchoSocket(server, { logger: false, ...rest, ...shared });
  },
  /** The tutorial's bare socket.io server with the same Redis Streams adapter. */
  "socket.io-redis": async () => {
    const { createAdapter } = await import("@socket.io/redis-streams-adapter");
    const { createClient } = await import("redis");
    const redis = createClient({ url: options.redisUrl });
    redis.on("error", () => {});
    await redis.connect();
    const io = new Server(server, { path: "/socket.io", cors: { origin: "*" }, adapter: createAdapter(redis) });
    io.on("connection", (socket) => socket.on("ms", (data) => socket.emit("echo", data)));
  },
  /** echo-socket's attach helper, default options (guards on) unless the scenario says otherwise. */
  "echo-socket": () => attachEchoSocket(server, { logger: false, ...options }),
  /** A bare socket.io server with the tutorial's handler, as a user would write it. */
  "socket.io": () => {
    const io = new Server(server, { path: "/socket.io", cors: { origin: "*" } });
    io.on("connection", (socket) => socket.on("ms", (data) => socket.emit("echo", data)));
  },
  /** The browser scenario: echo-socket plus two pages, one with the element, one written the tutorial's way. */
  pages: () => {
    const handle = attachEchoSocket(server, { logger: false, ...options });
    app.use("/echo", echoSocketRouter({ handle }));
    app.get("/element.html", (_req, res) => res.type("html").send(ELEMENT_PAGE));
    app.get("/tutorial.html", (_req, res) => res.type("html").send(TUTORIAL_PAGE));
  },
  /** A raw WebSocket echo: the floor any socket.io echo can approach. */
  "raw-ws": () => {
    const wss = new WebSocketServer({ server, perMessageDeflate: false });
    wss.on("connection", (ws) => ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary })));
  },
};

if (!contenders[kind]) throw new Error(`unknown contender ${kind}`);
await contenders[kind]();
server.listen(0, "127.0.0.1", () => console.log(`listening ${server.address().port}`));

process.on("message", (message) => {
  if (message === "cpu") {
    const { user, system } = process.cpuUsage();
    process.send({ cpuMicros: user + system });
  } else if (message === "sample") {
    const { rss, heapUsed } = process.memoryUsage();
    const { user, system } = process.cpuUsage();
    process.send({ sample: true, rss, heapUsed, cpuMicros: user + system });
  } else if (message === "memory") {
    globalThis.gc?.();
    const { rss, heapUsed } = process.memoryUsage();
    process.send({ rss, heapUsed });
  }
});

// Both pages send one message as soon as they are connected and note when its echo arrives.
const ELEMENT_PAGE = `<!doctype html><meta charset="utf-8"><title>element</title>
<script src="/echo/echo-socket.js"></script>
<echo-socket max-messages="500"></echo-socket>
<script>
  const el = document.querySelector("echo-socket");
  el.addEventListener("echo-socket-status", (e) => { if (e.detail.status === "connected" && !window.sent) { window.sent = true; el.send("first"); } });
  el.addEventListener("echo-socket-echo", () => { window.firstEcho ??= performance.now(); });
</script>`;

const TUTORIAL_PAGE = `<!doctype html><meta charset="utf-8"><title>tutorial</title>
<script src="/socket.io/socket.io.js"></script>
<script>
  var socket = io.connect(location.origin, { path: "/socket.io" });
  socket.on("connect", function () { socket.emit("ms", "first"); });
  socket.on("echo", function () { if (window.firstEcho === undefined) window.firstEcho = performance.now(); });
</script>`;
