// Turns bench results into ratios against the baselines of the same run, a terminal table and JSON.
import { cpus, totalmem } from "node:os";
import type { BundleRow } from "./scenarios/bundle.js";
import type { CapacityRow } from "./scenarios/capacity.js";
import type { ClusterRow } from "./scenarios/cluster.js";
import type { FloodRow } from "./scenarios/flood.js";
import type { ThroughputRow } from "./scenarios/throughput.js";
import type { BrowserResult } from "./scenarios/browser.js";
import { SIZES, type BenchSize } from "./sizes.js";

export interface BenchResults {
  throughput: ThroughputRow[];
  capacity: CapacityRow[];
  flood: FloodRow[];
  cluster: ClusterRow[];
  browser?: BrowserResult;
  bundle: BundleRow[];
}

export interface Ratio {
  name: string;
  value: number;
  target?: string;
  met?: boolean;
}

export function machine() {
  return {
    cpus: cpus().length,
    model: cpus()[0]?.model ?? "unknown",
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: process.platform,
  };
}

const find = <T extends { contender: string }>(rows: T[], contender: string): T | undefined => rows.find((row) => row.contender === contender);

export function ratios(results: BenchResults): Ratio[] {
  const list: Ratio[] = [];
  const groups = new Map<string, ThroughputRow[]>();
  for (const row of results.throughput) {
    const key = `${row.transport} ${row.payloadBytes} B`;
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  for (const [key, rows] of groups) {
    const ours = find(rows, "echo-socket")!;
    const bare = find(rows, "socket.io")!;
    const raw = find(rows, "raw-ws");
    const throughput = ours.echoesPerSecond / bare.echoesPerSecond;
    list.push({ name: `${key}: throughput echo-socket / socket.io`, value: throughput, target: ">= 1.0", met: throughput >= 1 });
    const p99 = ours.p99Ms / bare.p99Ms;
    list.push({ name: `${key}: p99 echo-socket / socket.io`, value: p99, target: "<= 1.0", met: p99 <= 1 });
    list.push({
      name: `${key}: server CPU per echo echo-socket / socket.io`,
      value: ours.serverCpuMicrosPerEcho / bare.serverCpuMicrosPerEcho,
      target: "<= 1.0",
      met: ours.serverCpuMicrosPerEcho <= bare.serverCpuMicrosPerEcho,
    });
    if (raw) list.push({ name: `${key}: throughput echo-socket / raw ws`, value: ours.echoesPerSecond / raw.echoesPerSecond });
    if (raw) list.push({ name: `${key}: throughput socket.io / raw ws`, value: bare.echoesPerSecond / raw.echoesPerSecond });
  }
  const ourMemory = find(results.capacity, "echo-socket");
  const bareMemory = find(results.capacity, "socket.io");
  if (ourMemory && bareMemory) {
    const value = ourMemory.bytesPerConnection / bareMemory.bytesPerConnection;
    list.push({ name: "memory per idle connection echo-socket / socket.io", value, target: "<= 1.0", met: value <= 1 });
  }
  for (const row of results.flood) {
    list.push({ name: `flood: others' p99 flooded / quiet (${row.contender})`, value: row.floodedP99Ms / row.quietP99Ms });
  }
  for (const payloadBytes of new Set(results.cluster.map((row) => row.payloadBytes))) {
    const rows = results.cluster.filter((row) => row.payloadBytes === payloadBytes);
    const one = rows.find((row) => row.workers === 1);
    const many = rows.find((row) => row.workers > 1);
    if (one && many)
      list.push({ name: `cluster ${payloadBytes} B: throughput ${many.workers} workers / 1 worker`, value: many.echoesPerSecond / one.echoesPerSecond });
  }
  if (results.browser) {
    const value = results.browser.elementFirstEchoMs / results.browser.tutorialFirstEchoMs;
    list.push({ name: "browser: first echo, element / tutorial page", value, target: "<= 1.0", met: value <= 1 });
    list.push({
      name: "browser: append cost, last batch / first batch",
      value: results.browser.lastBatchMs / results.browser.firstBatchMs,
      target: "flat (~1)",
    });
  }
  const [ourBundle, tutorialScript] = results.bundle;
  if (ourBundle && tutorialScript)
    list.push({ name: "bundle gzip: dist/echo-socket.js / socket.io.js", value: ourBundle.gzipBytes / tutorialScript.gzipBytes });
  return list;
}

const pad = (text: string, width: number): string => text.padEnd(width);
const num = (value: number, digits = 0): string => (Number.isFinite(value) ? value.toFixed(digits) : "n/a");

export function printTable(results: BenchResults, list: Ratio[]): void {
  const lines: string[] = [];
  lines.push("", "Echo throughput and latency (medians of rounds)");
  lines.push(
    `${pad("transport", 10)} ${pad("payload", 8)} ${pad("contender", 12)} ${pad("echoes/s", 10)} ${pad("p50 ms", 8)} ${pad("p99 ms", 8)} server CPU µs/echo`,
  );
  for (const row of results.throughput) {
    lines.push(
      `${pad(row.transport, 10)} ${pad(`${row.payloadBytes} B`, 8)} ${pad(row.contender, 12)} ${pad(num(row.echoesPerSecond), 10)} ` +
        `${pad(num(row.p50Ms, 2), 8)} ${pad(num(row.p99Ms, 2), 8)} ${num(row.serverCpuMicrosPerEcho, 1)}`,
    );
  }
  lines.push("", "Idle connections: server memory per connection");
  for (const row of results.capacity)
    lines.push(
      `${pad(row.contender, 12)} ${row.connections} connections: ${num(row.bytesPerConnection)} B RSS, ${num(row.heapBytesPerConnection)} B heap each`,
    );
  lines.push("", "Flood isolation: the other clients while one floods");
  for (const row of results.flood) {
    lines.push(
      `${pad(row.contender, 12)} p99 ${num(row.quietP99Ms, 2)} -> ${num(row.floodedP99Ms, 2)} ms, ${num(row.quietEchoesPerSecond)} -> ${num(row.floodedEchoesPerSecond)} echoes/s`,
    );
  }
  if (results.cluster.length > 0) {
    lines.push("", "npm run start:cluster, websocket, lean client (medians of rounds)");
    for (const row of results.cluster) {
      lines.push(
        `${pad(`${row.workers} worker${row.workers > 1 ? "s" : ""}`, 10)} ${pad(`${row.payloadBytes} B`, 8)} ${pad(num(row.echoesPerSecond), 10)} echoes/s, p50 ${num(row.p50Ms, 2)} ms, p99 ${num(row.p99Ms, 2)} ms`,
      );
    }
  }
  if (results.browser) {
    const b = results.browser;
    lines.push("", "Headless Chromium");
    lines.push(`first echo after load: element ${num(b.elementFirstEchoMs)} ms, tutorial page ${num(b.tutorialFirstEchoMs)} ms`);
    lines.push(
      `100 messages appended: first batch ${num(b.firstBatchMs, 1)} ms, batch ending at message ${b.messages} ${num(b.lastBatchMs, 1)} ms; DOM entries at the end: ${b.domEntries}`,
    );
  }
  lines.push("", "Bundle (gzip -9)");
  for (const row of results.bundle) lines.push(`${pad(row.file, 56)} ${num(row.gzipBytes)} B (${num(row.bytes)} B raw)`);
  lines.push("", "Ratios (same run)");
  for (const ratio of list)
    lines.push(
      `${pad(ratio.name, 58)} ${num(ratio.value, 2)}${ratio.target ? `  target ${ratio.target}: ${ratio.met === undefined ? "" : ratio.met ? "met" : "NOT met"}` : ""}`,
    );
  console.log(lines.join("\n"));
}

/** What one `npm run bench` writes to bench/results/ (`latest.json` and a dated copy). */
export interface BenchReport {
  date: string;
  size: keyof typeof SIZES;
  /** The size's settings when the run was made (older reports: read from sizes.ts). */
  settings?: BenchSize;
  machine: ReturnType<typeof machine>;
  results: BenchResults;
  ratios: Ratio[];
}

/** Thousands separated by commas, whatever the locale. */
const grouped = (value: number): string =>
  Math.round(value)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ",");
/** Milliseconds or microseconds: `digits` decimals below 100, whole above. */
const figure = (value: number, digits: number): string => (!Number.isFinite(value) ? "n/a" : value >= 100 ? grouped(value) : value.toFixed(digits));
const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;
const payload = (bytes: number): string => (bytes >= 1024 ? `${bytes / 1024} KB` : `${bytes} B`);
/** A Markdown table row; an empty cell is written `| |`. */
const tableRow = (cells: readonly string[]): string => `| ${cells.join(" | ")} |`.replaceAll("|  |", "| |");
const CONTENDER_NAMES: Record<string, string> = { "echo-socket": "echo-socket", "socket.io": "socket.io", "raw-ws": "raw ws" };

/**
 * The run as the README's Performance section shows it (between its `bench:latest` markers) and as
 * `bench/results/latest.md` holds it: the machine, the throughput table, the other scenarios and the
 * same-run ratios. A test renders `latest.json` with this and compares it with the README.
 */
export function renderMarkdown(report: BenchReport): string {
  const { machine: host, results } = report;
  const size = report.settings ?? SIZES[report.size];
  const lines: string[] = [];
  lines.push(
    `Latest run: ${report.date.slice(0, 10)}, ${host.cpus} vCPUs (${host.model}), ${host.memoryGiB} GiB, Node.js ${host.node} on ${host.platform}; ` +
      `client and server share the cores. ${size.clients} lean clients, ${size.inFlight} messages in flight each, ${size.rounds} rounds of ${size.durationMs / 1000} s, medians.`,
  );
  lines.push("", "| transport | payload | contender | echoes/s | p50 ms | p99 ms | server CPU µs/echo |", "| --- | --- | --- | ---: | ---: | ---: | ---: |");
  for (const row of results.throughput) {
    lines.push(
      `| ${row.transport} | ${payload(row.payloadBytes)} | ${CONTENDER_NAMES[row.contender] ?? row.contender} | ${grouped(row.echoesPerSecond)} | ` +
        `${figure(row.p50Ms, 2)} | ${figure(row.p99Ms, 2)} | ${figure(row.serverCpuMicrosPerEcho, 1)} |`,
    );
  }
  const other: Array<[string, string, string]> = [];
  const ours = <T extends { contender: string }>(rows: T[]) => rows.find((row) => row.contender === "echo-socket");
  const bare = <T extends { contender: string }>(rows: T[]) => rows.find((row) => row.contender === "socket.io");
  const [ourMemory, bareMemory] = [ours(results.capacity), bare(results.capacity)];
  const memory = (row?: CapacityRow) => (row ? `${kib(row.bytesPerConnection)} RSS, ${kib(row.heapBytesPerConnection)} heap` : "");
  if (ourMemory || bareMemory)
    other.push([`${grouped((ourMemory ?? bareMemory)!.connections)} idle connections: server memory each`, memory(ourMemory), memory(bareMemory)]);
  const flood = (row?: FloodRow) =>
    row
      ? `${figure(row.quietP99Ms, 2)} → ${figure(row.floodedP99Ms, 2)} ms, ${grouped(row.quietEchoesPerSecond)} → ${grouped(row.floodedEchoesPerSecond)} echoes/s`
      : "";
  if (results.flood.length > 0)
    other.push([
      `flood isolation: the other ${size.clients - 1} clients' p99 and echoes/s, quiet → while one floods`,
      flood(ours(results.flood)),
      flood(bare(results.flood)),
    ]);
  if (results.browser) {
    const b = results.browser;
    other.push([
      `headless Chromium, page load to first echo (median of ${size.browserLoads})`,
      `${figure(b.elementFirstEchoMs, 0)} ms (the element)`,
      `${figure(b.tutorialFirstEchoMs, 0)} ms (the tutorial's page)`,
    ]);
    other.push([
      `appending 100 messages: first batch vs the batch ending at message ${grouped(b.messages)}`,
      `${figure(b.firstBatchMs, 0)} ms vs ${figure(b.lastBatchMs, 0)} ms, ${grouped(b.domEntries)} entries in the DOM`,
      "",
    ]);
  }
  const clusterPayloads = [...new Set(results.cluster.map((row) => row.payloadBytes))];
  const clusterCells = clusterPayloads.flatMap((bytes) => {
    const one = results.cluster.find((row) => row.payloadBytes === bytes && row.workers === 1);
    const many = results.cluster.find((row) => row.payloadBytes === bytes && row.workers > 1);
    return one && many
      ? [
          `${payload(bytes)}: ${grouped(one.echoesPerSecond)} vs ${grouped(many.echoesPerSecond)} echoes/s (${(many.echoesPerSecond / one.echoesPerSecond).toFixed(2)}×)`,
        ]
      : [];
  });
  const workers = Math.max(0, ...results.cluster.map((row) => row.workers));
  if (clusterCells.length > 0)
    other.push([`\`npm run start:cluster\`, ${size.clients} lean WebSocket clients: 1 worker vs ${workers} workers`, clusterCells.join("; "), ""]);
  const [ourBundle, tutorialScript] = results.bundle;
  if (ourBundle && tutorialScript)
    other.push([
      "what the page downloads, gzip -9",
      `${kib(ourBundle.gzipBytes)}: ${ourBundle.file}`,
      `${kib(tutorialScript.gzipBytes)}: ${tutorialScript.file}`,
    ]);
  if (other.length > 0) {
    lines.push("", "| other scenario | echo-socket | bare socket.io |", "| --- | --- | --- |");
    for (const cells of other) lines.push(tableRow(cells));
  }
  if (report.ratios.length > 0) {
    lines.push("", "| same-run ratio | value | target |", "| --- | ---: | --- |");
    for (const ratio of report.ratios)
      lines.push(tableRow([ratio.name, ratio.value.toFixed(2), `${ratio.target ?? ""}${ratio.met === undefined ? "" : ratio.met ? ": met" : ": not met"}`]));
  }
  return `${lines.join("\n")}\n`;
}

/** The README's Performance section holds `renderMarkdown(latest.json)` between these two lines. */
export const README_MARKERS = [
  "<!-- bench:latest: written by npm run bench from bench/results/latest.json; do not edit -->",
  "<!-- /bench:latest -->",
] as const;

/** The part of `readme` between the markers (undefined without them). */
export function readmeTable(readme: string): string | undefined {
  const start = readme.indexOf(`${README_MARKERS[0]}\n`);
  const end = readme.indexOf(README_MARKERS[1], start);
  return start < 0 || end < 0 ? undefined : readme.slice(start + README_MARKERS[0].length + 1, end);
}

/** `readme` with `markdown` between the markers. */
export function withReadmeTable(readme: string, markdown: string): string {
  const current = readmeTable(readme);
  if (current === undefined) throw new Error(`README.md has no ${README_MARKERS[0]} ... ${README_MARKERS[1]} block in its Performance section`);
  const start = readme.indexOf(`${README_MARKERS[0]}\n`) + README_MARKERS[0].length + 1;
  return readme.slice(0, start) + markdown + readme.slice(start + current.length);
}
