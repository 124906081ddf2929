// `npm run bench [-- --size tiny] [-- --only websocket,polling,capacity,flood,cluster,browser,bundle]`
// Runs each scenario against fresh server processes on 127.0.0.1, prints a table of medians and
// same-run ratios, and writes JSON to bench/results/. Bounded: a few minutes at full size.
import { mkdirSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { machine, printTable, ratios, type BenchResults } from "./report.js";
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
  return { date: new Date().toISOString(), size: sizeName, machine: machine(), results, ratios: ratios(results) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { size: { type: "string", default: "full" }, only: { type: "string" } } });
  const sizeName = values.size === "tiny" ? "tiny" : "full";
  const report = await runBench(sizeName, values.only?.split(",") ?? SCENARIOS);
  printTable(report.results, report.ratios);
  const dir = new URL("./results/", import.meta.url);
  mkdirSync(dir, { recursive: true });
  const json = JSON.stringify(report, null, 2);
  writeFileSync(new URL(`bench-${report.date.replace(/[:.]/g, "-")}.json`, dir), json);
  writeFileSync(new URL("latest.json", dir), json);
  console.log(`\nresults written to bench/results/latest.json`);
  process.exit(0); // keep-alive sockets of the polling client must not hold the run open
}
