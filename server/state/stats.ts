import { REFUSAL_CODES, type RefusalCode } from "../../protocol/index.js";

/** Live figures of one attached echo channel, as `handle.stats()` returns them. */
export interface EchoStats {
  /** Sockets connected to the echo namespace right now. */
  connections: number;
  /** Sockets that have connected since attach. */
  totalConnections: number;
  /** Messages echoed since attach (a re-sent duplicate is echoed again but counted once). */
  echoes: number;
  /** Messages carrying an id that were acknowledged. */
  acked: number;
  /** Re-sent messages recognised by id and not counted again. */
  deduplicated: number;
  /** Reconnections that socket.io's connection state recovery restored (missed echoes replayed). */
  recovered: number;
  /** Messages refused by a limit (size, depth, rate, unread echoes) instead of echoed. */
  refused: number;
  /** Errors thrown inside echo-socket's listeners on a connection (caught; that connection was closed). */
  errors: number;
}

/** Refusals on this node since attach, by code (`too_many_violations`: connections closed for them). */
export type RefusalCounts = Record<RefusalCode, number>;

/** Plain counters: incrementing a number is the only per-message work stats cost. */
export class StatsCounter implements EchoStats {
  connections = 0;
  totalConnections = 0;
  echoes = 0;
  acked = 0;
  deduplicated = 0;
  recovered = 0;
  refused = 0;
  errors = 0;
  readonly refusedByCode = Object.fromEntries(REFUSAL_CODES.map((code) => [code, 0])) as RefusalCounts;

  snapshot(): EchoStats {
    const { connections, totalConnections, echoes, acked, deduplicated, recovered, refused, errors } = this;
    return { connections, totalConnections, echoes, acked, deduplicated, recovered, refused, errors };
  }
}
