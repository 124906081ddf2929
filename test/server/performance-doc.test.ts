// The README's Performance section cannot drift from the bench: its table is the Markdown of
// bench/results/latest.json (as `npm run bench` writes it), and run-by-run history lives in
// bench/README.md, not in the section's prose.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readmeTable, renderMarkdown, README_MARKERS, type BenchReport } from "../../bench/report.js";
import type { ThroughputRow } from "../../bench/scenarios/throughput.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const read = (file: string): string => readFileSync(path.join(ROOT, file), "utf8");
const README = read("README.md");
const latest = JSON.parse(read("bench/results/latest.json")) as BenchReport;

function performanceSection(): string {
  const start = README.indexOf("\n## Performance\n");
  const end = README.indexOf("\n## ", start + 1);
  expect(start, "README has a Performance section").toBeGreaterThan(-1);
  return README.slice(start, end);
}

describe("the README's Performance section", () => {
  it("shows the latest full bench run: its table is the rendering of bench/results/latest.json", () => {
    expect(latest.size, "latest.json is a full-size run").toBe("full");
    const table = readmeTable(performanceSection());
    expect(table, `the section holds the table between ${README_MARKERS.join(" and ")}`).toBeDefined();
    expect(table).toBe(renderMarkdown(latest));
  });

  it("has every scenario of that run in the table", () => {
    const { results } = latest;
    for (const [scenario, present] of [
      ["websocket", results.throughput.some((row) => row.transport === "websocket")],
      ["polling", results.throughput.some((row) => row.transport === "polling")],
      ["capacity", results.capacity.length > 0],
      ["flood", results.flood.length > 0],
      ["cluster", results.cluster.length > 0],
      ["browser", results.browser !== undefined],
      ["bundle", results.bundle.length > 0],
    ] as const) {
      expect(present, `latest.json has the ${scenario} scenario (write it with a full npm run bench)`).toBe(true);
    }
    // Scenarios added after a run: the table says that run did not measure them.
    const table = renderMarkdown(latest);
    if (!results.soak?.length) expect(table).toContain("Soak (open loop, echo-socket vs bare socket.io): not measured in this run.");
    else expect(table).toContain("| soak: open loop,");
    if (!results.redis?.length) expect(table).toContain("Redis mode (two nodes sharing Redis): not measured in this run.");
    else expect(table).toContain("| Redis mode, websocket,");
  });

  it("shows each round's spread where the run kept its rounds, and issue 17's targets whatever the run", () => {
    const withRounds = (row: ThroughputRow, cpu: number[]): ThroughputRow => ({
      ...row,
      serverCpuMicrosPerEcho: cpu[1]!,
      spread: {
        echoesPerSecond: { min: row.echoesPerSecond, median: row.echoesPerSecond, max: row.echoesPerSecond },
        p99Ms: { min: row.p99Ms, median: row.p99Ms, max: row.p99Ms },
        serverCpuMicrosPerEcho: { min: cpu[0]!, median: cpu[1]!, max: cpu[2]! },
      },
      rounds: cpu.map((value) => ({ echoes: 1000, echoesPerSecond: row.echoesPerSecond, p50Ms: row.p50Ms, p99Ms: row.p99Ms, serverCpuMicrosPerEcho: value })),
    });
    const [ours, bare, ...rest] = latest.results.throughput;
    const report: BenchReport = {
      ...latest,
      results: { ...latest.results, throughput: [withRounds(ours!, [12.8, 13.6, 14.8]), withRounds(bare!, [20, 20, 20]), ...rest] },
    };
    const table = renderMarkdown(report);
    expect(table).toContain("| 13.6 (12.8–14.8) |");
    // Per-round ratios 0.64, 0.68, 0.74: their median, min and max.
    expect(table).toContain("| websocket 16 B: server CPU per echo echo-socket / socket.io | 0.68 (0.64–0.74) | <= 0.7: met |");
    for (const target of [
      "websocket 16 B: throughput echo-socket / socket.io | ",
      "websocket 16 B: throughput echo-socket / raw ws | ",
      "idle memory per connection, heap echo-socket / socket.io",
      "soak: p99 latency echo-socket / socket.io",
      "browser: first echo, element / tutorial page",
      "bundle core: dist/echo-socket.js, gzip -9",
    ])
      expect(table).toContain(target);
    expect(table).toMatch(/\| websocket 16 B: throughput echo-socket \/ socket\.io \| [^|]+ \| >= 1\.3: (met|not met) \|/);
    expect(table).toMatch(/\| bundle core: dist\/echo-socket\.js, gzip -9 \| [\d,]+ B \| <= 22,528 B \(22 KB\): (met|not met) \|/);
  });

  it("matches bench/results/latest.md, which the bench writes beside latest.json", () => {
    const file = path.join(ROOT, "bench/results/latest.md");
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(file, "utf8")).toBe(renderMarkdown(latest));
  });

  it("says how to reproduce it, and keeps the history of runs in bench/README.md rather than in prose", () => {
    const section = performanceSection();
    expect(section).toContain("npm run bench");
    expect(section).toContain("bench/README.md");
    for (const drift of [/a second run/i, /an earlier run/i, /the run before/i, /in this run/i, /latest run:/i]) {
      const outsideTable = section.replace(readmeTable(section) ?? "", "");
      expect(drift.test(outsideTable), `the section's prose says ${drift}`).toBe(false);
    }
    expect(read("bench/README.md")).toMatch(/^## \d{4}-\d{2}-\d{2}/m);
  });
});
