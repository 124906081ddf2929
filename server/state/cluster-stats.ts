import type { Namespace } from "socket.io";
import { Adapter } from "socket.io-adapter";
import type { EchoStats } from "./stats.js";

/** The event nodes ask each other for their figures on, through the socket.io adapter. */
const STATS_EVENT = "echo-socket:stats";

/** Figures summed over every node the adapter reaches (this one alone with the in-memory adapter). */
export interface ClusterStats extends EchoStats {
  /** Nodes that answered, this one included. */
  nodes: number;
  /** True when some node did not answer in time: the sums leave it out. */
  partial: boolean;
}

/**
 * Answers other nodes' requests for this node's figures, and asks them for theirs, with the
 * adapter's `serverSideEmit` (the cluster adapter and the Redis Streams adapter both carry it).
 */
export function registerClusterStats(namespace: Namespace, local: () => EchoStats) {
  const answer = (reply: (stats: EchoStats) => void): void => {
    if (typeof reply === "function") reply(local());
  };
  namespace.on(STATS_EVENT, answer);
  return {
    collect(timeoutMs: number): Promise<ClusterStats> {
      const own = local();
      // The in-memory adapter (and echo-socket's recovery adapter) only warns: there are no other nodes.
      if (namespace.adapter.serverSideEmit === Adapter.prototype.serverSideEmit) {
        return Promise.resolve({ ...own, nodes: 1, partial: false });
      }
      return new Promise((resolve) => {
        const done = (error: unknown, replies: EchoStats[] = []): void => {
          clearTimeout(timer);
          const valid = replies.filter((reply) => typeof reply === "object" && reply !== null);
          resolve({ ...sum([own, ...valid]), nodes: 1 + valid.length, partial: Boolean(error) });
        };
        // The adapters wait 5 s for a node that went away; health should not.
        const timer = setTimeout(() => done(new Error("timeout")), timeoutMs).unref();
        namespace.serverSideEmit(STATS_EVENT, done);
      });
    },
    dispose(): void {
      namespace.off(STATS_EVENT, answer);
    },
  };
}

function sum(all: readonly EchoStats[]): EchoStats {
  const total = { ...all[0]! };
  for (const stats of all.slice(1)) {
    for (const key of Object.keys(total) as (keyof EchoStats)[]) total[key] += Number(stats[key]) || 0;
  }
  return total;
}
