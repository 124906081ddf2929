// Scenario 4: the others' p99 while one client floods as fast as it can, vs with no flooder.
import { WebSocket } from "ws";
import { median, rounds, type ContenderKind } from "../contenders.js";
import { messageFor, runLoad } from "../lean-ws-client.js";
import type { BenchSize } from "../sizes.js";

export interface FloodRow {
  contender: ContenderKind;
  quietP99Ms: number;
  floodedP99Ms: number;
  quietEchoesPerSecond: number;
  floodedEchoesPerSecond: number;
}

/** A client that sends without waiting for echoes, keeping its socket's send buffer full; stops on `stop()`. */
function startFlooder(port: number): { stop(): void } {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`, { perMessageDeflate: false, localAddress: "127.0.0.99" });
  const message = messageFor("socket.io", 16);
  let running = true;
  const pump = (): void => {
    if (!running || ws.readyState !== WebSocket.OPEN) return;
    // bufferedAmount stays 0 while the kernel takes every write, so also yield every 500 messages.
    for (let i = 0; i < 500 && ws.bufferedAmount < 1_000_000; i++) ws.send(message);
    setImmediate(pump);
  };
  ws.on("error", () => {});
  ws.on("message", (data) => {
    const text = data.toString();
    if (text.startsWith("0")) ws.send("40");
    else if (text.startsWith("40")) pump();
    else if (text === "2") ws.send("3");
  });
  return {
    stop() {
      running = false;
      ws.terminate();
    },
  };
}

export async function floodIsolation(size: BenchSize): Promise<FloodRow[]> {
  const others = { ...size, clients: Math.max(1, size.clients - 1), payloadBytes: size.payloads[0]!, protocol: "socket.io" as const };
  const results = await rounds(["echo-socket", "socket.io"], size.rounds, async (_kind, server) => {
    const quiet = await runLoad({ ...others, port: server.port });
    const flooder = startFlooder(server.port);
    try {
      const flooded = await runLoad({ ...others, port: server.port });
      return { quiet, flooded };
    } finally {
      flooder.stop();
    }
  });
  return Object.entries(results).map(([contender, runs]) => ({
    contender: contender as ContenderKind,
    quietP99Ms: median(runs.map((r) => r.quiet.p99Ms)),
    floodedP99Ms: median(runs.map((r) => r.flooded.p99Ms)),
    quietEchoesPerSecond: median(runs.map((r) => r.quiet.echoesPerSecond)),
    floodedEchoesPerSecond: median(runs.map((r) => r.flooded.echoesPerSecond)),
  }));
}
