// One scrape of /echo/metrics sums every worker of `npm run start:cluster`. A request reaches one
// worker (sticky hands connections over), so that worker asks the primary, whose prom-client
// AggregatorRegistry collects each worker's own registry over IPC and adds them up.
import cluster from "node:cluster";
import { randomUUID } from "node:crypto";
import { AggregatorRegistry, collectDefaultMetrics, Registry } from "prom-client";
import type { MetricsRegistry } from "../server/index.js";

const REQUEST = "echo-socket:cluster-metrics";
const REPLY = "echo-socket:cluster-metrics-reply";
/** A scrape waits this long for the sum; prom-client itself gives up on a silent worker after 5 s. */
const REPLY_TIMEOUT_MS = 6000;

interface Reply {
  type: typeof REPLY;
  id: string;
  text?: string;
  error?: string;
}

/** Primary: answers workers' requests with the metrics of all workers added up. */
export function aggregateWorkerMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on("message", (worker, message: { type?: unknown; id?: unknown }) => {
    if (message?.type !== REQUEST || typeof message.id !== "string") return;
    const id = message.id;
    aggregator.clusterMetrics().then(
      (text) => worker.send({ type: REPLY, id, text } satisfies Reply),
      (error: Error) => worker.send({ type: REPLY, id, error: error.message } satisfies Reply),
    );
  });
}

/**
 * Worker: a registry for the router. Metrics registered in it are this worker's (the primary reads
 * them through prom-client's worker listener); serving it returns the cluster-wide sum.
 */
export function clusterWideRegistry(): MetricsRegistry {
  const local = new Registry();
  collectDefaultMetrics({ register: local });
  AggregatorRegistry.setRegistries(local);
  new AggregatorRegistry(); // installs prom-client's listener that answers the primary
  const waiting = new Map<string, (reply: Reply) => void>();
  process.on("message", (message: Partial<Reply>) => {
    if (message?.type === REPLY && typeof message.id === "string") waiting.get(message.id)?.(message as Reply);
  });
  return {
    contentType: local.contentType,
    registerMetric: (metric) => local.registerMetric(metric),
    metrics: () =>
      new Promise<string>((resolve, reject) => {
        const id = randomUUID();
        const timer = setTimeout(() => settle({ type: REPLY, id, error: "the primary did not answer" }), REPLY_TIMEOUT_MS).unref();
        const settle = (reply: Reply): void => {
          clearTimeout(timer);
          waiting.delete(id);
          if (reply.text !== undefined) resolve(reply.text);
          else reject(new Error(`cluster metrics: ${reply.error}`));
        };
        waiting.set(id, settle);
        process.send!({ type: REQUEST, id });
      }),
  };
}
