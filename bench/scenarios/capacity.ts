// Scenario 3: server memory per idle connection, N socket.io connections held open.
import { WebSocket } from "ws";
import { median, rounds, type ContenderKind } from "../contenders.js";
import { sleep } from "../lean-ws-client.js";
import type { BenchSize } from "../sizes.js";

export interface CapacityRow {
  contender: ContenderKind;
  connections: number;
  bytesPerConnection: number;
  heapBytesPerConnection: number;
}

/** 250 a source address (127.0.0.2, .3, ...: all of 127/8 is loopback), under echo-socket's default per-address cap. */
const PER_ADDRESS = 250;

async function openIdle(port: number, count: number): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  for (let start = 0; start < count; start += 500) {
    const batch = Array.from({ length: Math.min(500, count - start) }, (_, i) => {
      const index = start + i;
      const ws = new WebSocket(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`, {
        perMessageDeflate: false,
        localAddress: `127.0.${2 + Math.floor(index / PER_ADDRESS / 250)}.${2 + (Math.floor(index / PER_ADDRESS) % 250)}`,
      });
      sockets.push(ws);
      return new Promise<void>((resolve, reject) => {
        ws.on("error", reject);
        ws.on("message", (data) => {
          const text = data.toString();
          if (text.startsWith("0")) ws.send("40");
          else if (text.startsWith("40")) resolve();
          else if (text === "2") ws.send("3");
        });
      });
    });
    await Promise.all(batch);
  }
  return sockets;
}

export async function capacity(size: BenchSize): Promise<CapacityRow[]> {
  const results = await rounds(["echo-socket", "socket.io"], 1, async (kind, server) => {
    const before = await server.memory();
    const sockets = await openIdle(server.port, size.idleConnections);
    await sleep(500);
    const after = await server.memory();
    sockets.forEach((ws) => ws.terminate());
    return {
      contender: kind,
      connections: size.idleConnections,
      bytesPerConnection: (after.rss - before.rss) / size.idleConnections,
      heapBytesPerConnection: (after.heapUsed - before.heapUsed) / size.idleConnections,
    };
  });
  return Object.values(results).map((runs) => ({ ...runs[0]!, bytesPerConnection: median(runs.map((r) => r.bytesPerConnection)) }));
}
