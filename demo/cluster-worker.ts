// A worker of `npm run start:cluster`: the demo app, on connections the primary hands over.
import { createAdapter } from "@socket.io/cluster-adapter";
import { setupWorker } from "@socket.io/sticky";
import { closeDeadlineMs, closeOnSignals, createDemoApp, optionsFromEnvironment } from "./app.js";
import { WORKER_READY } from "./cluster-ipc.js";
import { clusterWideRegistry } from "./cluster-metrics.js";
import { bindSessionsBeforeHandshake } from "./cluster-sessions.js";

// The cluster adapter does not carry connection state recovery: it is off here (the element still
// re-sends what was not echoed, and the server de-duplicates within each worker).
const options = { recoveryWindowMs: 0, ...optionsFromEnvironment(), adapter: createAdapter() };
const { server, echo } = createDemoApp(
  options,
  { metrics: clusterWideRegistry() }, // one scrape sums every worker
);
bindSessionsBeforeHandshake(echo.io.engine);
setupWorker(echo.io); // connections come from the primary, not from a listening socket
process.send!(WORKER_READY);
closeOnSignals(
  `worker ${process.pid}`,
  async () => {
    await echo.close();
    server.close();
  },
  closeDeadlineMs(options),
);
