// Scenarios 1 and 2: echoes/s, p50 and p99 with N clients each keeping K messages in flight.
import { rounds, type ContenderKind } from "../contenders.js";
import { runPollingLoad } from "../lean-polling-client.js";
import { runLoad, type LoadResult } from "../lean-ws-client.js";
import type { BenchSize } from "../sizes.js";
import { median, spread, type Spread } from "../stats.js";

/** One round's figures, as measured (kept in the JSON: the medians and spreads come from these). */
export type RoundFigures = Pick<LoadResult, "echoes" | "echoesPerSecond" | "p50Ms" | "p99Ms" | "serverCpuMicrosPerEcho"> &
  Partial<Pick<LoadResult, "clientCpuMicrosPerEcho" | "refused">>;

/** Medians over rounds, each round's figures, and the spread of the figures that move the most. */
export interface RoundsSummary {
  echoesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  serverCpuMicrosPerEcho: number;
  /** Min / median / max over rounds (absent in reports written before spreads were kept). */
  spread?: { echoesPerSecond: Spread; p99Ms: Spread; serverCpuMicrosPerEcho: Spread };
  /** Every round's figures, in round order (round i of each contender ran side by side). */
  rounds?: RoundFigures[];
}

export interface ThroughputRow extends RoundsSummary {
  transport: "websocket" | "polling";
  payloadBytes: number;
  contender: ContenderKind;
}

export function summariseRounds(runs: readonly LoadResult[]): RoundsSummary {
  const of = (figure: keyof RoundFigures) => runs.map((run) => run[figure]);
  return {
    echoesPerSecond: median(of("echoesPerSecond")),
    p50Ms: median(of("p50Ms")),
    p99Ms: median(of("p99Ms")),
    serverCpuMicrosPerEcho: median(of("serverCpuMicrosPerEcho")),
    spread: { echoesPerSecond: spread(of("echoesPerSecond")), p99Ms: spread(of("p99Ms")), serverCpuMicrosPerEcho: spread(of("serverCpuMicrosPerEcho")) },
    rounds: runs.map(({ echoes, echoesPerSecond, p50Ms, p99Ms, serverCpuMicrosPerEcho, clientCpuMicrosPerEcho, refused }) => ({
      echoes,
      echoesPerSecond,
      p50Ms,
      p99Ms,
      serverCpuMicrosPerEcho,
      clientCpuMicrosPerEcho,
      refused,
    })),
  };
}

function summarise(transport: ThroughputRow["transport"], payloadBytes: number, results: Record<string, LoadResult[]>): ThroughputRow[] {
  return Object.entries(results).map(([contender, runs]) => ({ transport, payloadBytes, contender: contender as ContenderKind, ...summariseRounds(runs) }));
}

export async function websocketThroughput(size: BenchSize): Promise<ThroughputRow[]> {
  const rows: ThroughputRow[] = [];
  for (const payloadBytes of size.payloads) {
    const results = await rounds(["echo-socket", "socket.io", "raw-ws"], size.rounds, (kind, server) =>
      runLoad({ ...size, ...size.websocket, port: server.port, protocol: kind === "raw-ws" ? "raw" : "socket.io", payloadBytes, serverCpu: server.cpuMicros }),
    );
    rows.push(...summarise("websocket", payloadBytes, results));
  }
  return rows;
}

export async function pollingThroughput(size: BenchSize): Promise<ThroughputRow[]> {
  const payloadBytes = size.payloads[0]!;
  const results = await rounds(["echo-socket", "socket.io"], size.rounds, (_kind, server) =>
    runPollingLoad({ ...size, port: server.port, protocol: "socket.io", payloadBytes, serverCpu: server.cpuMicros }),
  );
  return summarise("polling", payloadBytes, results);
}
