// Scenario: `npm run start:cluster` with 1 worker vs one worker per core, through the same lean
// WebSocket client. The primary hands every connection to a worker (@socket.io/sticky) and the load
// generator shares the machine's cores, so on a 2-core machine the gain is bounded well below 2x.
import type { ChildProcess } from "node:child_process";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { spawnNode, stopChild } from "../../test/support/spawn-node.mjs";
import { median } from "../contenders.js";
import { runLoad } from "../lean-ws-client.js";
import type { BenchSize } from "../sizes.js";

export interface ClusterRow {
  workers: number;
  payloadBytes: number;
  echoesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

const CLUSTER_DEMO = fileURLToPath(new URL("../../dist/demo/cluster.js", import.meta.url));
// The bench measures echo capacity: the per-connection allowance must not be what limits it.
const OPTIONS = JSON.stringify({ logger: false, messagesPerSecond: 1_000_000, messageBurst: 1_000_000 });

async function startCluster(workers: number): Promise<{ port: number; child: ChildProcess }> {
  const env = { PORT: "0", HOST: "127.0.0.1", WORKERS: String(workers), ECHO_SOCKET_OPTIONS: OPTIONS };
  const { child, match } = await spawnNode(CLUSTER_DEMO, { env, ready: /open http:\/\/[^:]+:(\d+)\// });
  return { port: Number(match[1]), child };
}

export async function clusterThroughput(size: BenchSize): Promise<ClusterRow[]> {
  const perCore = Math.max(2, availableParallelism());
  const rows: ClusterRow[] = [];
  for (const payloadBytes of size.payloads.slice(0, 2)) {
    const runs = new Map<number, Awaited<ReturnType<typeof runLoad>>[]>([
      [1, []],
      [perCore, []],
    ]);
    for (let round = 0; round < size.rounds; round++) {
      const order = round % 2 === 0 ? [1, perCore] : [perCore, 1];
      for (const workers of order) {
        const { port, child } = await startCluster(workers);
        try {
          runs.get(workers)!.push(await runLoad({ ...size, port, protocol: "socket.io", payloadBytes }));
        } finally {
          await stopChild(child, "SIGTERM"); // the primary stops its workers
        }
      }
    }
    for (const [workers, results] of runs) {
      rows.push({
        workers,
        payloadBytes,
        echoesPerSecond: median(results.map((r) => r.echoesPerSecond)),
        p50Ms: median(results.map((r) => r.p50Ms)),
        p99Ms: median(results.map((r) => r.p99Ms)),
      });
    }
  }
  return rows;
}
