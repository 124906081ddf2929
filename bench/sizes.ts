/** How big a bench run is: `full` for `npm run bench`, `tiny` for the test suite's check that it runs. */
export interface BenchSize {
  rounds: number;
  clients: number;
  inFlight: number;
  warmupMs: number;
  durationMs: number;
  payloads: number[];
  idleConnections: number;
  browserLoads: number;
  browserMessages: number;
  /**
   * The WebSocket throughput scenario's load: more clients, fewer messages in flight each, so that each
   * client stays under echo-socket's default per-connection rate limit (1,000 messages/s, burst 2,000)
   * at the throughput measured: a faster server would otherwise be measured refusing, by design.
   */
  websocket: { clients: number; inFlight: number };
  /** The open-loop soak (one round per contender): `clients` each sending `messagesPerSecond` for `durationMs`. */
  soak: SoakSize;
}

export interface SoakSize {
  clients: number;
  messagesPerSecond: number;
  durationMs: number;
  /** After the last send, how long the soak waits at most for outstanding echoes. */
  graceMs: number;
  /** Clients per loopback source address (127.0.0.2, .3, ...), well under echo-socket's per-address caps. */
  clientsPerAddress: number;
}

export const SIZES: Record<"full" | "tiny", BenchSize> = {
  full: {
    rounds: 5,
    clients: 50,
    inFlight: 4,
    websocket: { clients: 200, inFlight: 2 },
    warmupMs: 1000,
    durationMs: 3000,
    payloads: [16, 1024, 65536],
    idleConnections: 10_000,
    browserLoads: 15,
    browserMessages: 10_000,
    soak: { clients: 1000, messagesPerSecond: 10, durationMs: 60_000, graceMs: 5000, clientsPerAddress: 50 },
  },
  tiny: {
    rounds: 1,
    clients: 2,
    inFlight: 2,
    websocket: { clients: 2, inFlight: 2 },
    warmupMs: 100,
    durationMs: 300,
    payloads: [16],
    idleConnections: 20,
    browserLoads: 1,
    browserMessages: 200,
    soak: { clients: 20, messagesPerSecond: 10, durationMs: 1000, graceMs: 2000, clientsPerAddress: 5 },
  },
};
