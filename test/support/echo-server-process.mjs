// `node [--expose-gc] echo-server-process.mjs [port]`: one echo-socket server (default options) in its
// own process, for crash tests and the hostile-input corpus. With an IPC channel it answers
// "memory" (heap after a GC, when --expose-gc is on) and "probe" (is Object.prototype polluted?).
import { startEchoServer } from "./echo-servers.mjs";

const server = await startEchoServer({ port: Number(process.argv[2] ?? 0) });
console.log(`listening ${server.port}`);

process.on("message", (message) => {
  if (message === "memory") {
    globalThis.gc?.();
    const { rss, heapUsed } = process.memoryUsage();
    process.send({ rss, heapUsed });
  } else if (message === "probe") {
    process.send({ polluted: Object.keys(Object.prototype).length > 0 || {}.polluted !== undefined });
  }
});
