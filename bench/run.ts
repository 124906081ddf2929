// `npm run bench [-- --size tiny] [-- --rounds N] [-- --only websocket,polling,capacity,flood,soak,cluster,redis,browser,bundle]`
// Runs each scenario against fresh server processes on 127.0.0.1, prints a table of medians (with
// min–max over rounds) and same-run ratios, and writes JSON to bench/results/ (a dated file, every
// round's raw figures kept). `--rounds N` overrides the size's round count. Bounded: about ten minutes
// at full size.
// A full run (every scenario, full size) is also the latest: `latest.json`, `latest.md` (its Markdown)
// and the README's Performance table. `npx tsx bench/run.ts --render` re-writes those two from
// `latest.json` without running anything.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { machine, printTable, ratios, renderMarkdown, withReadmeTable, type BenchReport, type BenchResults } from "./report.js";
import { browserScenario } from "./scenarios/browser.js";
import { bundleSizes } from "./scenarios/bundle.js";
import { capacity } from "./scenarios/capacity.js";
import { clusterThroughput } from "./scenarios/cluster.js";
import { floodIsolation } from "./scenarios/flood.js";
import { redisScenario } from "./scenarios/redis.js";
import { soakScenario } from "./scenarios/soak.js";
import { pollingThroughput, websocketThroughput } from "./scenarios/throughput.js";
import { SIZES, type BenchSize } from "./sizes.js";

export const SCENARIOS = ["websocket", "polling", "capacity", "flood", "soak", "cluster", "redis", "browser", "bundle"] as const;

/** Runs the scenarios in `only` at `sizeName`; `overrides` (say `{ rounds: 5 }`) change the size's settings. */
export async function runBench(sizeName: keyof typeof SIZES, only: readonly string[] = SCENARIOS, log = console.error, overrides: Partial<BenchSize> = {}) {
  const loadAtStart = loadavg();
  const size: BenchSize = { ...SIZES[sizeName], ...overrides };
  const results: BenchResults = { throughput: [], capacity: [], flood: [], cluster: [], bundle: [] };
  const step = async <T>(name: string, run: () => Promise<T> | T): Promise<T | undefined> => {
    if (!only.includes(name)) return undefined;
    const started = Date.now();
    log(`bench: ${name}...`);
    const value = await run();
    log(`bench: ${name} done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return value;
  };
  results.throughput.push(...((await step("websocket", () => websocketThroughput(size))) ?? []));
  results.throughput.push(...((await step("polling", () => pollingThroughput(size))) ?? []));
  results.capacity = (await step("capacity", () => capacity(size))) ?? [];
  results.flood = (await step("flood", () => floodIsolation(size))) ?? [];
  results.soak = await step("soak", () => soakScenario(size));
  results.cluster = (await step("cluster", () => clusterThroughput(size))) ?? [];
  results.redis = await step("redis", () => redisScenario(size));
  results.browser = await step("browser", () => browserScenario(size));
  results.bundle = (await step("bundle", () => bundleSizes())) ?? [];
  const report: BenchReport = {
    date: new Date().toISOString(),
    size: sizeName,
    settings: size,
    machine: machine(loadAtStart),
    results,
    ratios: ratios(results),
  };
  return report;
}

const RESULTS = new URL("./results/", import.meta.url);
const README = new URL("../README.md", import.meta.url);

/** `latest.md` and the README's table, from `report`. */
function writeLatestMarkdown(report: BenchReport): void {
  const markdown = renderMarkdown(report);
  writeFileSync(new URL("latest.md", RESULTS), markdown);
  writeFileSync(README, withReadmeTable(readFileSync(README, "utf8"), markdown));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: { size: { type: "string", default: "full" }, only: { type: "string" }, rounds: { type: "string" }, render: { type: "boolean", default: false } },
  });
  const rounds = values.rounds === undefined ? undefined : Number(values.rounds);
  if (rounds !== undefined && !(Number.isInteger(rounds) && rounds >= 1))
    throw new Error(`--rounds takes a whole number of rounds, 1 or more (got ${values.rounds})`);
  if (values.render) {
    writeLatestMarkdown(JSON.parse(readFileSync(new URL("latest.json", RESULTS), "utf8")) as BenchReport);
    console.log("bench/results/latest.md and the README's Performance table written from bench/results/latest.json");
    process.exit(0);
  }
  const sizeName = values.size === "tiny" ? "tiny" : "full";
  const only = values.only?.split(",") ?? SCENARIOS;
  const unknown = only.filter((name) => !(SCENARIOS as readonly string[]).includes(name));
  if (unknown.length > 0) throw new Error(`unknown scenario ${unknown.join(", ")}: the scenarios are ${SCENARIOS.join(", ")}`);
  const report = await runBench(sizeName, only, console.error, rounds === undefined ? {} : { rounds });
  printTable(report);
  mkdirSync(RESULTS, { recursive: true });
  const json = JSON.stringify(report, null, 2);
  const dated = `bench-${report.date.replace(/[:.]/g, "-")}.json`;
  writeFileSync(new URL(dated, RESULTS), json);
  // The latest is a full run at the full size's own round count.
  if (sizeName === "full" && rounds === undefined && SCENARIOS.every((name) => only.includes(name))) {
    writeFileSync(new URL("latest.json", RESULTS), json);
    writeLatestMarkdown(report);
    console.log(`\nresults written to bench/results/${dated}, latest.json and latest.md; the README's Performance table updated`);
  } else {
    console.log(`\nresults written to bench/results/${dated} (not a full run: latest.json and the README keep the last full run)`);
  }
  process.exit(0); // keep-alive sockets of the polling client must not hold the run open
}
