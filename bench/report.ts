// Turns bench results into ratios against the baselines of the same run, a terminal table and JSON.
import { cpus, totalmem } from "node:os";
import type { BundleRow } from "./scenarios/bundle.js";
import type { CapacityRow } from "./scenarios/capacity.js";
import type { ClusterRow } from "./scenarios/cluster.js";
import type { FloodRow } from "./scenarios/flood.js";
import type { ThroughputRow } from "./scenarios/throughput.js";
import type { BrowserResult } from "./scenarios/browser.js";

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
  return { cpus: cpus().length, model: cpus()[0]?.model ?? "unknown", memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, platform: process.platform };
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
    list.push({ name: `${key}: server CPU per echo echo-socket / socket.io`, value: ours.serverCpuMicrosPerEcho / bare.serverCpuMicrosPerEcho, target: "<= 1.0", met: ours.serverCpuMicrosPerEcho <= bare.serverCpuMicrosPerEcho });
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
    if (one && many) list.push({ name: `cluster ${payloadBytes} B: throughput ${many.workers} workers / 1 worker`, value: many.echoesPerSecond / one.echoesPerSecond });
  }
  if (results.browser) {
    const value = results.browser.elementFirstEchoMs / results.browser.tutorialFirstEchoMs;
    list.push({ name: "browser: first echo, element / tutorial page", value, target: "<= 1.0", met: value <= 1 });
    list.push({ name: "browser: append cost, last batch / first batch", value: results.browser.lastBatchMs / results.browser.firstBatchMs, target: "flat (~1)" });
  }
  const [ourBundle, tutorialScript] = results.bundle;
  if (ourBundle && tutorialScript) list.push({ name: "bundle gzip: dist/echo-socket.js / socket.io.js", value: ourBundle.gzipBytes / tutorialScript.gzipBytes });
  return list;
}

const pad = (text: string, width: number): string => text.padEnd(width);
const num = (value: number, digits = 0): string => (Number.isFinite(value) ? value.toFixed(digits) : "n/a");

export function printTable(results: BenchResults, list: Ratio[]): void {
  const lines: string[] = [];
  lines.push("", "Echo throughput and latency (medians of rounds)");
  lines.push(`${pad("transport", 10)} ${pad("payload", 8)} ${pad("contender", 12)} ${pad("echoes/s", 10)} ${pad("p50 ms", 8)} ${pad("p99 ms", 8)} server CPU µs/echo`);
  for (const row of results.throughput) {
    lines.push(
      `${pad(row.transport, 10)} ${pad(`${row.payloadBytes} B`, 8)} ${pad(row.contender, 12)} ${pad(num(row.echoesPerSecond), 10)} ` +
        `${pad(num(row.p50Ms, 2), 8)} ${pad(num(row.p99Ms, 2), 8)} ${num(row.serverCpuMicrosPerEcho, 1)}`,
    );
  }
  lines.push("", "Idle connections: server memory per connection");
  for (const row of results.capacity) lines.push(`${pad(row.contender, 12)} ${row.connections} connections: ${num(row.bytesPerConnection)} B RSS, ${num(row.heapBytesPerConnection)} B heap each`);
  lines.push("", "Flood isolation: the other clients while one floods");
  for (const row of results.flood) {
    lines.push(`${pad(row.contender, 12)} p99 ${num(row.quietP99Ms, 2)} -> ${num(row.floodedP99Ms, 2)} ms, ${num(row.quietEchoesPerSecond)} -> ${num(row.floodedEchoesPerSecond)} echoes/s`);
  }
  if (results.cluster.length > 0) {
    lines.push("", "npm run start:cluster, websocket, lean client (medians of rounds)");
    for (const row of results.cluster) {
      lines.push(`${pad(`${row.workers} worker${row.workers > 1 ? "s" : ""}`, 10)} ${pad(`${row.payloadBytes} B`, 8)} ${pad(num(row.echoesPerSecond), 10)} echoes/s, p50 ${num(row.p50Ms, 2)} ms, p99 ${num(row.p99Ms, 2)} ms`);
    }
  }
  if (results.browser) {
    const b = results.browser;
    lines.push("", "Headless Chromium");
    lines.push(`first echo after load: element ${num(b.elementFirstEchoMs)} ms, tutorial page ${num(b.tutorialFirstEchoMs)} ms`);
    lines.push(`100 messages appended: first batch ${num(b.firstBatchMs, 1)} ms, batch ending at message ${b.messages} ${num(b.lastBatchMs, 1)} ms; DOM entries at the end: ${b.domEntries}`);
  }
  lines.push("", "Bundle (gzip -9)");
  for (const row of results.bundle) lines.push(`${pad(row.file, 56)} ${num(row.gzipBytes)} B (${num(row.bytes)} B raw)`);
  lines.push("", "Ratios (same run)");
  for (const ratio of list) lines.push(`${pad(ratio.name, 58)} ${num(ratio.value, 2)}${ratio.target ? `  target ${ratio.target}: ${ratio.met === undefined ? "" : ratio.met ? "met" : "NOT met"}` : ""}`);
  console.log(lines.join("\n"));
}
