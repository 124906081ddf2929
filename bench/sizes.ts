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
}

export const SIZES: Record<"full" | "tiny", BenchSize> = {
  full: {
    rounds: 3,
    clients: 50,
    inFlight: 4,
    warmupMs: 1000,
    durationMs: 3000,
    payloads: [16, 1024, 65536],
    idleConnections: 10_000,
    browserLoads: 5,
    browserMessages: 10_000,
  },
  tiny: {
    rounds: 1,
    clients: 2,
    inFlight: 2,
    warmupMs: 100,
    durationMs: 300,
    payloads: [16],
    idleConnections: 20,
    browserLoads: 1,
    browserMessages: 200,
  },
};
