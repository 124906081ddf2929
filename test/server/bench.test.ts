// The benchmarks are not timed tests: this only checks that every scenario runs at a tiny size and
// produces well-formed results (bounded, loopback only).
import { availableParallelism } from "node:os";
import { describe, expect, it } from "vitest";
import { runBench, SCENARIOS } from "../../bench/run.js";

const finitePositive = (value: number): boolean => Number.isFinite(value) && value > 0;

describe("npm run bench, tiny", () => {
  it("runs every scenario and reports well-formed results and ratios", async () => {
    const report = await runBench("tiny", SCENARIOS, () => {});
    const { results } = report;
    expect(report.machine.cpus).toBeGreaterThan(0);

    expect(results.throughput.map((row) => `${row.transport} ${row.contender}`)).toEqual([
      "websocket echo-socket",
      "websocket socket.io",
      "websocket raw-ws",
      "polling echo-socket",
      "polling socket.io",
    ]);
    for (const row of results.throughput) {
      expect(finitePositive(row.echoesPerSecond), `${row.contender} echoes/s`).toBe(true);
      expect(row.p99Ms).toBeGreaterThanOrEqual(row.p50Ms);
      expect(finitePositive(row.serverCpuMicrosPerEcho), `${row.contender} CPU per echo`).toBe(true);
    }
    expect(results.capacity.map((row) => row.contender)).toEqual(["echo-socket", "socket.io"]);
    for (const row of results.capacity) expect(Number.isFinite(row.bytesPerConnection)).toBe(true);
    expect(results.flood.map((row) => row.contender)).toEqual(["echo-socket", "socket.io"]);
    for (const row of results.flood) {
      expect(finitePositive(row.quietEchoesPerSecond), `${row.contender} quiet`).toBe(true);
      // A flooded bare server may starve the others entirely: zero is a result, not a malformed one.
      expect(Number.isFinite(row.floodedEchoesPerSecond) && row.floodedEchoesPerSecond >= 0).toBe(true);
    }
    expect(results.cluster.map((row) => row.workers)).toEqual([1, Math.max(2, availableParallelism())]);
    for (const row of results.cluster) expect(finitePositive(row.echoesPerSecond), `${row.workers} workers`).toBe(true);
    expect(finitePositive(results.browser!.elementFirstEchoMs)).toBe(true);
    expect(finitePositive(results.browser!.tutorialFirstEchoMs)).toBe(true);
    expect(results.browser!.domEntries).toBeGreaterThan(0);
    expect(results.bundle).toHaveLength(2);
    expect(results.bundle[0]!.gzipBytes).toBeLessThan(results.bundle[1]!.gzipBytes);
    for (const ratio of report.ratios) expect(typeof ratio.value === "number" && !Number.isNaN(ratio.value), ratio.name).toBe(true);
  }, 120_000);
});
