// Every core on one host: `npm run start:cluster`. The primary process accepts connections and hands
// each to a worker with @socket.io/sticky (every request of a long-polling session must reach the same
// worker, and is told of each session before its handshake is answered: see cluster-sessions.ts); the
// workers share socket.io events through @socket.io/cluster-adapter. WORKERS sets how many.
import cluster from "node:cluster";

// One entry for both: the primary does not load the app, Express and socket.io it never runs.
if (cluster.isPrimary) await import("./cluster-primary.js");
else await import("./cluster-worker.js");
