// Each contender runs in a fresh server process per measurement, so no run inherits another's state.
import { fileURLToPath } from "node:url";
import { startServerProcess, type ServerProcess } from "../test/support/server-process.js";

import { median } from "./stats.js";

export { median };

/** The Redis kinds take `{ redisUrl }` in their options (the redis scenario starts that Redis). */
export type ContenderKind = "echo-socket" | "socket.io" | "raw-ws" | "pages" | "echo-socket-redis" | "socket.io-redis";

const SERVE = fileURLToPath(new URL("./servers/serve.mjs", import.meta.url));

export function startContender(kind: ContenderKind, options: Record<string, unknown> = {}): Promise<ServerProcess> {
  return startServerProcess(SERVE, [kind, JSON.stringify(options)]);
}

/** Runs `measure` once per round for each contender, rotating who goes first, on fresh servers. */
export async function rounds<T>(
  contenders: readonly ContenderKind[],
  count: number,
  measure: (kind: ContenderKind, server: ServerProcess) => Promise<T>,
  options: (kind: ContenderKind) => Record<string, unknown> = () => ({}),
): Promise<Record<string, T[]>> {
  const results: Record<string, T[]> = Object.fromEntries(contenders.map((kind) => [kind, []]));
  for (let round = 0; round < count; round++) {
    const order = contenders.map((_, i) => contenders[(i + round) % contenders.length]!);
    for (const kind of order) {
      const server = await startContender(kind, options(kind));
      try {
        results[kind]!.push(await measure(kind, server));
      } finally {
        await server.stop();
      }
    }
  }
  return results;
}
