// The primary of `npm run start:cluster`: accepts connections, hands each to a worker, replaces a
// worker that dies, sums the workers' metrics.
import cluster from "node:cluster";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { availableParallelism } from "node:os";
import { setupPrimary } from "@socket.io/cluster-adapter";
import { setupMaster } from "@socket.io/sticky";
import { closeDeadlineMs, closeOnSignals, optionsFromEnvironment } from "./app.js";
import { type HeldMessages, sendWhenReady, WORKER_READY } from "./cluster-ipc.js";
import { aggregateWorkerMetrics } from "./cluster-metrics.js";
import { confirmSessionBindings } from "./cluster-sessions.js";

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? "localhost";
const workers = Number(process.env.WORKERS ?? availableParallelism());
if (!Number.isInteger(workers) || workers < 1) throw new Error(`WORKERS must be a whole number of 1 or more (got ${process.env.WORKERS})`);

const server = createServer();
// Round-robin: sticky counts a session twice when it is bound early, which would skew least-connection.
setupMaster(server, { loadBalancingMethod: "round-robin" });
confirmSessionBindings();
aggregateWorkerMetrics();
setupPrimary(); // relays the cluster adapter's messages between workers
cluster.setupPrimary({ serialization: "advanced" }); // sticky hands request bytes over IPC as Buffers
let stopping = false;
/** A worker that is not ready this long after it was forked is replaced (what waits for it is refused). */
const READY_TIMEOUT_MS = 30_000;
const readiness = new Map<number, HeldMessages>();
cluster.on("fork", (worker) => {
  const timer = setTimeout(() => {
    if (!readiness.has(worker.id)) return;
    console.error(`worker ${worker.process.pid} not ready after ${READY_TIMEOUT_MS / 1000} s; replacing it`);
    worker.process.kill("SIGKILL");
  }, READY_TIMEOUT_MS).unref();
  worker.once("exit", () => {
    clearTimeout(timer);
    readiness.get(worker.id)?.discard("the worker exited before it was ready");
    readiness.delete(worker.id);
  });
  // sticky tells a worker about a closed connection without a callback: when that worker is on its
  // way out, the send fails and Node emits "error" on the Worker, which would end the primary.
  worker.on("error", (error) => console.error(`worker ${worker.process.pid}: ${error.message}`));
  readiness.set(worker.id, sendWhenReady(worker)); // connections wait until it can serve them
});
for (let i = 0; i < workers; i++) cluster.fork();
// A worker that dies is replaced; its clients reconnect to the others meanwhile.
cluster.on("exit", (worker, code, signal) => {
  if (stopping) return;
  console.log(`worker ${worker.process.pid} exited (${signal ?? code}); starting another`);
  cluster.fork();
});
// Listen once every worker can take connections: sticky hands them over at once, to any worker.
let ready = 0;
cluster.on("message", (worker, message: unknown) => {
  if (message !== WORKER_READY) return;
  readiness.get(worker.id)?.ready();
  readiness.delete(worker.id);
  console.log(`worker ${worker.process.pid} ready`);
  if (++ready !== workers) return;
  server.listen(port, host, () => {
    const { port: actualPort } = server.address() as AddressInfo;
    console.log(`echo-socket demo (${workers} workers): open http://${host}:${actualPort}/`);
  });
});
closeOnSignals(
  "echo-socket cluster",
  async () => {
    stopping = true;
    const exits = Object.values(cluster.workers ?? {}).map((worker) => new Promise((resolve) => worker!.once("exit", resolve)));
    for (const worker of Object.values(cluster.workers ?? {})) worker!.kill("SIGTERM");
    await Promise.all(exits);
    server.close();
  },
  closeDeadlineMs(optionsFromEnvironment()) + 1000, // outlasts the workers' own deadline
);
