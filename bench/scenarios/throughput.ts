// Scenarios 1 and 2: echoes/s, p50 and p99 with N clients each keeping K messages in flight.
import { median, rounds, type ContenderKind } from "../contenders.js";
import { runPollingLoad } from "../lean-polling-client.js";
import { runLoad, type LoadResult } from "../lean-ws-client.js";
import type { BenchSize } from "../sizes.js";

export interface ThroughputRow {
  transport: "websocket" | "polling";
  payloadBytes: number;
  contender: ContenderKind;
  echoesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  serverCpuMicrosPerEcho: number;
}

function summarise(transport: ThroughputRow["transport"], payloadBytes: number, results: Record<string, LoadResult[]>): ThroughputRow[] {
  return Object.entries(results).map(([contender, runs]) => ({
    transport,
    payloadBytes,
    contender: contender as ContenderKind,
    echoesPerSecond: median(runs.map((r) => r.echoesPerSecond)),
    p50Ms: median(runs.map((r) => r.p50Ms)),
    p99Ms: median(runs.map((r) => r.p99Ms)),
    serverCpuMicrosPerEcho: median(runs.map((r) => r.serverCpuMicrosPerEcho)),
  }));
}

export async function websocketThroughput(size: BenchSize): Promise<ThroughputRow[]> {
  const rows: ThroughputRow[] = [];
  for (const payloadBytes of size.payloads) {
    const results = await rounds(["echo-socket", "socket.io", "raw-ws"], size.rounds, (kind, server) =>
      runLoad({ ...size, port: server.port, protocol: kind === "raw-ws" ? "raw" : "socket.io", payloadBytes, serverCpu: server.cpuMicros }),
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
