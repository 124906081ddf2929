// The benchmarks are not timed tests: this only checks that every scenario runs at a tiny size and
// produces well-formed results (bounded, loopback only; the redis scenario starts its own redis-server).
import { availableParallelism } from "node:os";
import { describe, expect, it } from "vitest";
import { runBench, SCENARIOS } from "../../bench/run.js";
import type { Spread } from "../../bench/stats.js";

const finitePositive = (value: number): boolean => Number.isFinite(value) && value > 0;
const ordered = (spread: Spread | undefined): boolean => spread !== undefined && spread.min <= spread.median && spread.median <= spread.max;

describe("npm run bench, tiny", () => {
  it("runs every scenario and reports well-formed results and ratios", async () => {
    const report = await runBench("tiny", SCENARIOS, () => {});
    const { results } = report;
    expect(report.machine.cpus).toBeGreaterThan(0);
    expect(report.machine.os).toBeTruthy();
    expect(report.machine.loadAverage?.start).toHaveLength(3);
    expect(report.machine.loadAverage?.end).toHaveLength(3);

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
      expect(row.rounds).toHaveLength(1);
      expect(row.rounds![0]!.echoes).toBeGreaterThan(0);
      for (const spread of Object.values(row.spread!)) expect(ordered(spread)).toBe(true);
    }
    expect(results.capacity.map((row) => row.contender)).toEqual(["echo-socket", "socket.io"]);
    for (const row of results.capacity) expect(Number.isFinite(row.bytesPerConnection)).toBe(true);
    expect(results.flood.map((row) => row.contender)).toEqual(["echo-socket", "socket.io"]);
    for (const row of results.flood) {
      expect(finitePositive(row.quietEchoesPerSecond), `${row.contender} quiet`).toBe(true);
      // A flooded bare server may starve the others entirely: zero is a result, not a malformed one.
      expect(Number.isFinite(row.floodedEchoesPerSecond) && row.floodedEchoesPerSecond >= 0).toBe(true);
    }

    // The soak: every message sent on schedule, each client's sequence numbers checked on the way back.
    expect(results.soak!.map((row) => row.contender)).toEqual(["echo-socket", "socket.io"]);
    for (const row of results.soak!) {
      expect(row.sent, `${row.contender} sent`).toBe(row.clients * Math.round((row.messagesPerSecond * row.durationMs) / 1000));
      expect(row.echoed, `${row.contender} echoed`).toBeGreaterThan(0);
      expect(row.echoed + row.lost).toBe(row.sent);
      expect(row.p99Ms).toBeGreaterThanOrEqual(row.p50Ms);
      expect(row.rssStartBytes).toBeGreaterThan(0);
      expect(row.rssPeakBytes).toBeGreaterThanOrEqual(Math.max(row.rssStartBytes, row.rssEndBytes));
      expect(row.rssGrowthBytes).toBe(row.rssEndBytes - row.rssStartBytes);
      expect(row.localAddresses.length, "clients spread over several source addresses").toBeGreaterThan(1);
      expect(finitePositive(row.clientCpuCores)).toBe(true);
    }
    const ourSoak = results.soak![0]!;
    expect({ lost: ourSoak.lost, duplicated: ourSoak.duplicated, outOfOrder: ourSoak.outOfOrder, disconnected: ourSoak.disconnected }).toEqual({
      lost: 0,
      duplicated: 0,
      outOfOrder: 0,
      disconnected: 0,
    });

    expect(results.cluster.map((row) => row.workers)).toEqual([1, Math.max(2, availableParallelism())]);
    for (const row of results.cluster) expect(finitePositive(row.echoesPerSecond), `${row.workers} workers`).toBe(true);

    // Redis mode: two nodes on one Redis for each Redis contender, one node for the memory-mode reference.
    expect(results.redis!.map((row) => `${row.contender} ${row.mode} ${row.nodes}`)).toEqual([
      "echo-socket-redis redis 2",
      "socket.io-redis redis 2",
      "echo-socket memory 1",
    ]);
    for (const row of results.redis!) {
      expect(finitePositive(row.echoesPerSecond), `${row.contender} echoes/s`).toBe(true);
      expect(finitePositive(row.serverCpuMicrosPerEcho), `${row.contender} CPU per echo`).toBe(true);
      for (const spread of Object.values(row.spread!)) expect(ordered(spread)).toBe(true);
    }

    expect(finitePositive(results.browser!.elementFirstEchoMs)).toBe(true);
    expect(finitePositive(results.browser!.tutorialFirstEchoMs)).toBe(true);
    expect(results.browser!.domEntries).toBeGreaterThan(0);
    expect(results.bundle).toHaveLength(2);
    expect(results.bundle[0]!.gzipBytes).toBeLessThan(results.bundle[1]!.gzipBytes);

    for (const ratio of report.ratios) {
      // The tiny size measures 16 B only: the 1 KB and 64 KB targets are rows that say so.
      if (ratio.measured === false) expect(ratio.name, ratio.name).toMatch(/1024 B|65536 B/);
      else expect(typeof ratio.value === "number" && !Number.isNaN(ratio.value), ratio.name).toBe(true);
    }
    const names = report.ratios.map((ratio) => ratio.name);
    for (const name of [
      "soak: p99 latency echo-socket / socket.io",
      "soak: lost / duplicated / out of order (echo-socket)",
      "idle memory per connection, heap echo-socket / socket.io",
      "idle memory per connection, RSS echo-socket / socket.io",
      "redis 16 B: throughput echo-socket / socket.io, same adapter",
      "redis 16 B: server CPU per echo echo-socket Redis / memory mode",
    ])
      expect(names).toContain(name);
  }, 180_000);

  it("takes a round count: every round kept, medians and ratios with their min and max", async () => {
    const report = await runBench("tiny", ["websocket"], () => {}, { rounds: 2 });
    expect(report.settings?.rounds).toBe(2);
    for (const row of report.results.throughput) {
      expect(row.rounds).toHaveLength(2);
      for (const spread of Object.values(row.spread!)) expect(ordered(spread)).toBe(true);
      expect(row.spread!.echoesPerSecond.median).toBe(row.echoesPerSecond);
    }
    const cpu = report.ratios.find((ratio) => ratio.name === "websocket 16 B: server CPU per echo echo-socket / socket.io")!;
    expect(cpu.min).toBeLessThanOrEqual(cpu.value);
    expect(cpu.value).toBeLessThanOrEqual(cpu.max!);
    const [ours, bare] = report.results.throughput;
    const perRound = ours!.rounds!.map((round, i) => round.serverCpuMicrosPerEcho / bare!.rounds![i]!.serverCpuMicrosPerEcho);
    expect([cpu.min, cpu.max]).toEqual([Math.min(...perRound), Math.max(...perRound)]);
  }, 60_000);
});
