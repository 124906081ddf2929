// `node [--expose-gc] echo-server-process.mjs [port]`: one echo-socket server (Express app +
// attachEchoSocket + echoSocketRouter at /echo) in its own process, for crash tests, the hostile-input
// corpus and the attack runner. Environment:
//   ECHO_SOCKET_DIST     the built dist/ directory to load echo-socket from (default: this checkout's),
//                        so the attack runner can target a baseline checkout;
//   ECHO_SOCKET_OPTIONS  JSON options for attachEchoSocket (default: none, i.e. the defaults);
//   ECHO_SOCKET_HOST     the address to listen on (default 127.0.0.1; "::" for dual-stack).
// With an IPC channel it answers "memory" (heap after a GC, when --expose-gc is on), "probe" (is
// Object.prototype polluted?), "cpu" (CPU time used, µs), "stats" (handle.stats()) and "peak" (the
// highest heap/RSS/external memory sampled every 100 ms since the last "peak"; resets it).
import { createServer } from "node:http";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import express from "express";

const dist = process.env.ECHO_SOCKET_DIST ? resolve(process.env.ECHO_SOCKET_DIST) : new URL("../../dist", import.meta.url).pathname;
const { attachEchoSocket, echoSocketRouter } = await import(pathToFileURL(`${dist}/server/index.js`).href);
const options = JSON.parse(process.env.ECHO_SOCKET_OPTIONS || "{}");

const app = express();
const httpServer = createServer(app);
const handle = attachEchoSocket(httpServer, { logger: false, ...options });
app.use("/echo", echoSocketRouter({ handle }));
await new Promise((done, fail) => {
  httpServer.once("error", fail);
  httpServer.listen(Number(process.argv[2] ?? 0), process.env.ECHO_SOCKET_HOST || "127.0.0.1", done);
});
console.log(`listening ${httpServer.address().port}`);

const fresh = () => ({ heapUsed: 0, rss: 0, external: 0, arrayBuffers: 0 });
let peak = fresh();
const sample = () => {
  const now = process.memoryUsage();
  for (const key of Object.keys(peak)) peak[key] = Math.max(peak[key], now[key]);
};
setInterval(sample, 100).unref();

process.on("message", (message) => {
  if (message === "memory") {
    globalThis.gc?.();
    const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
    process.send({ rss, heapUsed, external, arrayBuffers });
  } else if (message === "probe") {
    process.send({ polluted: Object.keys(Object.prototype).length > 0 || {}.polluted !== undefined });
  } else if (message === "cpu") {
    const { user, system } = process.cpuUsage();
    process.send({ cpuMicros: user + system });
  } else if (message === "stats") {
    process.send(handle.stats());
  } else if (message === "peak") {
    sample();
    process.send(peak);
    peak = fresh();
  }
});
