// `npm run bench [-- --size tiny] [-- --only websocket,polling,capacity,flood,cluster,browser,bundle]`
// Runs each scenario against fresh server processes on 127.0.0.1, prints a table of medians and
// same-run ratios, and writes JSON to bench/results/ (a dated file). Bounded: a few minutes at full size.
// A full run (every scenario, full size) is also the latest: `latest.json`, `latest.md` (its Markdown)
// and the README's Performance table. `npx tsx bench/run.ts --render` re-writes those two from
// `latest.json` without running anything.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { machine, printTable, ratios, renderMarkdown, withReadmeTable, type BenchReport, type BenchResults } from "./report.js";
import { browserScenario } from "./scenarios/browser.js";
import { bundleSizes } from "./scenarios/bundle.js";
import { capacity } from "./scenarios/capacity.js";
import { clusterThroughput } from "./scenarios/cluster.js";
import { floodIsolation } from "./scenarios/flood.js";
import { pollingThroughput, websocketThroughput } from "./scenarios/throughput.js";
import { SIZES } from "./sizes.js";

export const SCENARIOS = ["websocket", "polling", "capacity", "flood", "cluster", "browser", "bundle"] as const;

export async function runBench(sizeName: keyof typeof SIZES, only: readonly string[] = SCENARIOS, log = console.error) {
  const size = SIZES[sizeName];
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
  results.cluster = (await step("cluster", () => clusterThroughput(size))) ?? [];
  results.browser = await step("browser", () => browserScenario(size));
  results.bundle = (await step("bundle", () => bundleSizes())) ?? [];
  const report: BenchReport = { date: new Date().toISOString(), size: sizeName, settings: size, machine: machine(), results, ratios: ratios(results) };
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
    options: { size: { type: "string", default: "full" }, only: { type: "string" }, render: { type: "boolean", default: false } },
  });
  if (values.render) {
    writeLatestMarkdown(JSON.parse(readFileSync(new URL("latest.json", RESULTS), "utf8")) as BenchReport);
    console.log("bench/results/latest.md and the README's Performance table written from bench/results/latest.json");
    process.exit(0);
  }
  const sizeName = values.size === "tiny" ? "tiny" : "full";
  const only = values.only?.split(",") ?? SCENARIOS;
  const report = await runBench(sizeName, only);
  printTable(report.results, report.ratios);
  mkdirSync(RESULTS, { recursive: true });
  const json = JSON.stringify(report, null, 2);
  const dated = `bench-${report.date.replace(/[:.]/g, "-")}.json`;
  writeFileSync(new URL(dated, RESULTS), json);
  if (sizeName === "full" && SCENARIOS.every((name) => only.includes(name))) {
    writeFileSync(new URL("latest.json", RESULTS), json);
    writeLatestMarkdown(report);
    console.log(`\nresults written to bench/results/${dated}, latest.json and latest.md; the README's Performance table updated`);
  } else {
    console.log(`\nresults written to bench/results/${dated} (not a full run: latest.json and the README keep the last full run)`);
  }
  process.exit(0); // keep-alive sockets of the polling client must not hold the run open
}
