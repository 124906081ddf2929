// Every core on one host: `npm run start:cluster`. The primary process accepts connections and hands
// each to a worker with @socket.io/sticky (every request of a long-polling session must reach the same
// worker, and is told of each session before its handshake is answered: see cluster-sessions.ts); the
// workers share socket.io events through @socket.io/cluster-adapter. WORKERS sets how many.
import cluster from "node:cluster";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { availableParallelism } from "node:os";
import { createAdapter, setupPrimary } from "@socket.io/cluster-adapter";
import { setupMaster, setupWorker } from "@socket.io/sticky";
import { closeOnSignals, createDemoApp, optionsFromEnvironment } from "./app.js";
import { aggregateWorkerMetrics, clusterWideRegistry } from "./cluster-metrics.js";
import { bindSessionsBeforeHandshake, confirmSessionBindings } from "./cluster-sessions.js";

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? "localhost";
const workers = Number(process.env.WORKERS ?? availableParallelism());
if (!Number.isInteger(workers) || workers < 1) throw new Error(`WORKERS must be a whole number of 1 or more (got ${process.env.WORKERS})`);
const WORKER_READY = "echo-socket:worker-ready";

if (cluster.isPrimary) {
  const server = createServer();
  // Round-robin: sticky counts a session twice when it is bound early, which would skew least-connection.
  setupMaster(server, { loadBalancingMethod: "round-robin" });
  confirmSessionBindings();
  aggregateWorkerMetrics();
  setupPrimary(); // relays the cluster adapter's messages between workers
  cluster.setupPrimary({ serialization: "advanced" }); // sticky hands request bytes over IPC as Buffers
  let stopping = false;
  // sticky tells a worker about a closed connection without a callback: when that worker is on its
  // way out, the send fails and Node emits "error" on the Worker, which would end the primary.
  cluster.on("fork", (worker) => worker.on("error", (error) => console.error(`worker ${worker.process.pid}: ${error.message}`)));
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
    console.log(`worker ${worker.process.pid} ready`);
    if (++ready !== workers) return;
    server.listen(port, host, () => {
      const { port: actualPort } = server.address() as AddressInfo;
      console.log(`echo-socket demo (${workers} workers): open http://${host}:${actualPort}/`);
    });
  });
  closeOnSignals("echo-socket cluster", async () => {
    stopping = true;
    const exits = Object.values(cluster.workers ?? {}).map((worker) => new Promise((resolve) => worker!.once("exit", resolve)));
    for (const worker of Object.values(cluster.workers ?? {})) worker!.kill("SIGTERM");
    await Promise.all(exits);
    server.close();
  });
} else {
  // The cluster adapter does not carry connection state recovery: it is off here (the element still
  // re-sends what was not echoed, and the server de-duplicates within each worker).
  const { server, echo } = createDemoApp(
    { recoveryWindowMs: 0, ...optionsFromEnvironment(), adapter: createAdapter() },
    { metrics: clusterWideRegistry() }, // one scrape sums every worker
  );
  setupWorker(echo.io); // connections come from the primary, not from a listening socket
  bindSessionsBeforeHandshake(echo.io.engine);
  process.send!(WORKER_READY);
  closeOnSignals(`worker ${process.pid}`, async () => {
    await echo.close();
    server.close();
  });
}
