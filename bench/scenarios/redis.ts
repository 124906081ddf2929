// Scenario: Redis mode. Two server nodes sharing one Redis (a redis-server this scenario starts on a
// free loopback port and stops), the lean WebSocket clients split across both nodes:
// echo-socket with the Redis Streams adapter and the Redis store (as `npm run start:redis` sets it up)
// vs bare socket.io with the same @socket.io/redis-streams-adapter, and echo-socket in memory mode
// (one node, no Redis) as the reference. Server CPU per echo is the sum over the nodes (Redis's own
// CPU is not counted). Each round starts a fresh Redis and fresh nodes, rotating who goes first.
import { startContender, type ContenderKind } from "../contenders.js";
import { runLoad, type LoadResult } from "../lean-ws-client.js";
import type { BenchSize } from "../sizes.js";
import { startRedis } from "../../test/support/services.mjs";
import type { ServerProcess } from "../../test/support/server-process.js";
import { summariseRounds, type RoundsSummary } from "./throughput.js";

export interface RedisRow extends RoundsSummary {
  contender: ContenderKind;
  /** "redis": nodes share a Redis; "memory": one node, nothing shared. */
  mode: "redis" | "memory";
  nodes: number;
  payloadBytes: number;
}

const UNLIMITED = { messagesPerSecond: 1_000_000, messageBurst: 1_000_000 };

const SETUPS: ReadonlyArray<{ contender: ContenderKind; mode: RedisRow["mode"]; nodes: number }> = [
  { contender: "echo-socket-redis", mode: "redis", nodes: 2 },
  { contender: "socket.io-redis", mode: "redis", nodes: 2 },
  { contender: "echo-socket", mode: "memory", nodes: 1 },
];

async function measure(setup: (typeof SETUPS)[number], size: BenchSize, payloadBytes: number): Promise<LoadResult> {
  const redis = setup.mode === "redis" ? await startRedis() : undefined;
  const nodes: ServerProcess[] = [];
  try {
    // Per-connection rate limits raised for echo-socket, as in the cluster scenario: this measures what
    // Redis mode costs, and 50 clients past 1,000 messages/s each would be refused by the default limit.
    const limits = setup.contender === "socket.io-redis" ? {} : UNLIMITED;
    const options = redis ? { redisUrl: redis.url, ...limits } : limits;
    for (let i = 0; i < setup.nodes; i++) nodes.push(await startContender(setup.contender, options));
    const serverCpu = async (): Promise<number> => (await Promise.all(nodes.map((node) => node.cpuMicros()))).reduce((a, b) => a + b, 0);
    return await runLoad({ ...size, port: nodes[0]!.port, ports: nodes.map((node) => node.port), protocol: "socket.io", payloadBytes, serverCpu });
  } finally {
    await Promise.all(nodes.map((node) => node.stop()));
    await redis?.stop();
  }
}

export async function redisScenario(size: BenchSize): Promise<RedisRow[]> {
  const rows: RedisRow[] = [];
  for (const payloadBytes of size.payloads.slice(0, 2)) {
    const runs = SETUPS.map(() => [] as LoadResult[]);
    for (let round = 0; round < size.rounds; round++) {
      for (let i = 0; i < SETUPS.length; i++) {
        const index = (i + round) % SETUPS.length;
        runs[index]!.push(await measure(SETUPS[index]!, size, payloadBytes));
      }
    }
    SETUPS.forEach((setup, i) => rows.push({ ...setup, payloadBytes, ...summariseRounds(runs[i]!) }));
  }
  return rows;
}
