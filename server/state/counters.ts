import type { EchoStats } from "./stats.js";

/** The counters that only grow (every figure but the live `connections`). */
export type CumulativeCounts = Omit<EchoStats, "connections">;

export const CUMULATIVE_KEYS: readonly (keyof CumulativeCounts)[] = ["totalConnections", "echoes", "acked", "deduplicated", "recovered", "refused", "errors"];

export function emptyCounts(): CumulativeCounts {
  return { totalConnections: 0, echoes: 0, acked: 0, deduplicated: 0, recovered: 0, refused: 0, errors: 0 };
}
