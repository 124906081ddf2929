// Turns bench results into ratios against the baselines of the same run (issue 17's targets), a
// terminal table and the Markdown the README shows.
import { readFileSync } from "node:fs";
import { cpus, loadavg, release, totalmem, type } from "node:os";
import type { BundleRow } from "./scenarios/bundle.js";
import type { CapacityRow } from "./scenarios/capacity.js";
import type { ClusterRow } from "./scenarios/cluster.js";
import type { FloodRow } from "./scenarios/flood.js";
import type { RedisRow } from "./scenarios/redis.js";
import type { SoakRow } from "./scenarios/soak.js";
import type { RoundFigures, RoundsSummary, ThroughputRow } from "./scenarios/throughput.js";
import type { BrowserResult } from "./scenarios/browser.js";
import { SIZES, type BenchSize } from "./sizes.js";
import { spread, type Spread } from "./stats.js";

export interface BenchResults {
  throughput: ThroughputRow[];
  capacity: CapacityRow[];
  flood: FloodRow[];
  cluster: ClusterRow[];
  browser?: BrowserResult;
  bundle: BundleRow[];
  /** Absent in reports written before the soak scenario existed. */
  soak?: SoakRow[];
  /** Absent in reports written before the redis scenario existed. */
  redis?: RedisRow[];
}

export interface Ratio {
  name: string;
  /** The median of the per-round ratios (the ratio of medians when the rounds were not kept); NaN when not measured. */
  value: number;
  /** The lowest and highest per-round ratio. */
  min?: number;
  max?: number;
  target?: string;
  met?: boolean;
  /** false: this run has no figures for this target. */
  measured?: boolean;
  /** How the value is shown when it is not a plain ratio (bytes, counts). */
  display?: string;
}

export interface Machine {
  cpus: number;
  model: string;
  memoryGiB: number;
  node: string;
  platform: string;
  /** The distribution and kernel (absent in older reports). */
  os?: string;
  /** 1, 5 and 15-minute load averages when the run started and when it ended (absent in older reports). */
  loadAverage?: { start: number[]; end: number[] };
}

function distribution(): string {
  try {
    return /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync("/etc/os-release", "utf8"))?.[1] ?? type();
  } catch {
    return type();
  }
}

/** The machine, with the load average at `loadAtStart` (taken when the run began) and now. */
export function machine(loadAtStart: number[] = loadavg()): Machine {
  return {
    cpus: cpus().length,
    model: cpus()[0]?.model ?? "unknown",
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: process.platform,
    os: `${distribution()}, ${type()} ${release()}`,
    loadAverage: { start: loadAtStart, end: loadavg() },
  };
}

const find = <T extends { contender: string }>(rows: readonly T[], contender: string): T | undefined => rows.find((row) => row.contender === contender);

type Figure = keyof RoundFigures & keyof RoundsSummary;

/** a / b for `figure`: the median and min–max of the per-round ratios when both kept their rounds, else the ratio of medians. */
function roundRatio(a: RoundsSummary, b: RoundsSummary, figure: Figure): Pick<Ratio, "value" | "min" | "max"> {
  if (a.rounds && b.rounds && a.rounds.length > 0 && a.rounds.length === b.rounds.length) {
    const { min, median, max } = spread(a.rounds.map((round, i) => round[figure] / b.rounds![i]![figure]));
    return { value: median, min, max };
  }
  return { value: a[figure] / b[figure] };
}

const limitText = (limit: number): string => (Number.isInteger(limit) ? limit.toFixed(1) : String(limit));

/** A ratio with a target; `measured` undefined: the run has no figures for it. */
function targeted(name: string, measured: Pick<Ratio, "value" | "min" | "max" | "display"> | undefined, op: "<=" | ">=", limit: number): Ratio {
  const target = `${op} ${limitText(limit)}`;
  if (measured === undefined) return { name, value: Number.NaN, target, measured: false };
  return { name, ...measured, target, met: op === "<=" ? measured.value <= limit : measured.value >= limit };
}

/** The payloads issue 17 sets WebSocket targets at, whether or not a run measured them. */
const WEBSOCKET_PAYLOADS = [16, 1024, 65536];
/** The element's core bundle (dist/echo-socket.js), gzip -9: at most 22 KB. */
export const BUNDLE_TARGET_BYTES = 22_528;

export function ratios(results: BenchResults): Ratio[] {
  const list: Ratio[] = [];
  const websocket = results.throughput.filter((row) => row.transport === "websocket");
  const payloads = [...new Set([...WEBSOCKET_PAYLOADS, ...websocket.map((row) => row.payloadBytes)])];
  for (const bytes of payloads) {
    const rows = websocket.filter((row) => row.payloadBytes === bytes);
    const ours = find(rows, "echo-socket");
    const bare = find(rows, "socket.io");
    const raw = find(rows, "raw-ws");
    const key = `websocket ${bytes} B`;
    const pair = (figure: Figure) => (ours && bare ? roundRatio(ours, bare, figure) : undefined);
    if (bytes === 16 || bytes === 1024) list.push(targeted(`${key}: throughput echo-socket / socket.io`, pair("echoesPerSecond"), ">=", 1.3));
    else if (ours && bare) list.push({ name: `${key}: throughput echo-socket / socket.io`, ...pair("echoesPerSecond")! });
    list.push(targeted(`${key}: p99 echo-socket / socket.io`, pair("p99Ms"), "<=", 1));
    list.push(targeted(`${key}: server CPU per echo echo-socket / socket.io`, pair("serverCpuMicrosPerEcho"), "<=", 0.7));
    const ourRaw = ours && raw ? roundRatio(ours, raw, "echoesPerSecond") : undefined;
    if (bytes === 16) list.push(targeted(`${key}: throughput echo-socket / raw ws`, ourRaw, ">=", 0.75));
    else if (ourRaw) list.push({ name: `${key}: throughput echo-socket / raw ws`, ...ourRaw });
    if (bare && raw) list.push({ name: `${key}: throughput socket.io / raw ws`, ...roundRatio(bare, raw, "echoesPerSecond") });
  }
  const polling = results.throughput.filter((row) => row.transport === "polling");
  for (const bytes of new Set([16, ...polling.map((row) => row.payloadBytes)])) {
    const rows = polling.filter((row) => row.payloadBytes === bytes);
    const [ours, bare] = [find(rows, "echo-socket"), find(rows, "socket.io")];
    const pair = (figure: Figure) => (ours && bare ? roundRatio(ours, bare, figure) : undefined);
    list.push(targeted(`polling ${bytes} B: throughput echo-socket / socket.io`, pair("echoesPerSecond"), ">=", 1.1));
    list.push(targeted(`polling ${bytes} B: p99 echo-socket / socket.io`, pair("p99Ms"), "<=", 1));
    if (ours && bare) list.push({ name: `polling ${bytes} B: server CPU per echo echo-socket / socket.io`, ...pair("serverCpuMicrosPerEcho")! });
  }
  const [ourMemory, bareMemory] = [find(results.capacity, "echo-socket"), find(results.capacity, "socket.io")];
  const both = ourMemory && bareMemory;
  list.push(
    targeted(
      "idle memory per connection, RSS echo-socket / socket.io",
      both && { value: ourMemory.bytesPerConnection / bareMemory.bytesPerConnection },
      "<=",
      0.9,
    ),
    targeted(
      "idle memory per connection, heap echo-socket / socket.io",
      both && { value: ourMemory.heapBytesPerConnection / bareMemory.heapBytesPerConnection },
      "<=",
      0.9,
    ),
  );
  for (const row of results.flood) {
    list.push({ name: `flood: others' p99 flooded / quiet (${row.contender})`, value: row.floodedP99Ms / row.quietP99Ms });
  }
  list.push(...soakRatios(results.soak ?? []));
  for (const payloadBytes of new Set(results.cluster.map((row) => row.payloadBytes))) {
    const rows = results.cluster.filter((row) => row.payloadBytes === payloadBytes);
    const one = rows.find((row) => row.workers === 1);
    const many = rows.find((row) => row.workers > 1);
    if (one && many)
      list.push({ name: `cluster ${payloadBytes} B: throughput ${many.workers} workers / 1 worker`, value: many.echoesPerSecond / one.echoesPerSecond });
  }
  list.push(...redisRatios(results.redis ?? []));
  const browser = results.browser;
  list.push(
    targeted("browser: first echo, element / tutorial page", browser && { value: browser.elementFirstEchoMs / browser.tutorialFirstEchoMs }, "<=", 0.8),
  );
  if (browser) list.push({ name: "browser: append cost, last batch / first batch", value: browser.lastBatchMs / browser.firstBatchMs, target: "flat (~1)" });
  const [ourBundle, tutorialScript] = results.bundle;
  list.push({
    ...targeted(
      "bundle core: dist/echo-socket.js, gzip -9",
      ourBundle && { value: ourBundle.gzipBytes, display: `${grouped(ourBundle.gzipBytes)} B` },
      "<=",
      BUNDLE_TARGET_BYTES,
    ),
    target: `<= ${grouped(BUNDLE_TARGET_BYTES)} B (22 KB)`,
  });
  if (ourBundle && tutorialScript)
    list.push({ name: "bundle gzip: dist/echo-socket.js / socket.io.js", value: ourBundle.gzipBytes / tutorialScript.gzipBytes });
  return list;
}

const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MB`;
const signedMb = (bytes: number): string => `${bytes >= 0 ? "+" : "−"}${mb(Math.abs(bytes))}`;

function soakRatios(rows: readonly SoakRow[]): Ratio[] {
  const [ours, bare] = [find(rows, "echo-socket"), find(rows, "socket.io")];
  const both = ours && bare;
  // A bare server that did not grow makes the ratio 1 when echo-socket did not either, else unbounded.
  const growth = !both
    ? Number.NaN
    : bare.rssGrowthBytes > 0
      ? ours.rssGrowthBytes / bare.rssGrowthBytes
      : ours.rssGrowthBytes <= 0
        ? 1
        : Number.POSITIVE_INFINITY;
  const growthRatio: Ratio | undefined = both
    ? {
        name: "soak: server RSS growth echo-socket / socket.io",
        value: growth,
        target: "<= 1.2",
        // A bare server that did not grow: the target is then that echo-socket did not grow either.
        met: bare.rssGrowthBytes > 0 ? growth <= 1.2 : ours.rssGrowthBytes <= 0,
        display: `${bare.rssGrowthBytes > 0 ? growth.toFixed(2) : "n/a"} (${signedMb(ours.rssGrowthBytes)} vs ${signedMb(bare.rssGrowthBytes)})`,
      }
    : undefined;
  const faults = (row: SoakRow): string => `${grouped(row.lost)} / ${grouped(row.duplicated)} / ${grouped(row.outOfOrder)}`;
  return [
    targeted("soak: p50 latency echo-socket / socket.io", both && { value: ours.p50Ms / bare.p50Ms }, "<=", 1),
    targeted("soak: p99 latency echo-socket / socket.io", both && { value: ours.p99Ms / bare.p99Ms }, "<=", 1),
    growthRatio ?? targeted("soak: server RSS growth echo-socket / socket.io", undefined, "<=", 1.2),
    ours
      ? {
          name: "soak: lost / duplicated / out of order (echo-socket)",
          value: ours.lost + ours.duplicated + ours.outOfOrder,
          display: faults(ours),
          target: "0 each",
          met: ours.lost + ours.duplicated + ours.outOfOrder === 0,
        }
      : { name: "soak: lost / duplicated / out of order (echo-socket)", value: Number.NaN, target: "0 each", measured: false },
    ...(bare
      ? [{ name: "soak: lost / duplicated / out of order (socket.io)", value: bare.lost + bare.duplicated + bare.outOfOrder, display: faults(bare) }]
      : []),
  ];
}

function redisRatios(rows: readonly RedisRow[]): Ratio[] {
  const list: Ratio[] = [];
  for (const bytes of new Set(rows.map((row) => row.payloadBytes))) {
    const at = rows.filter((row) => row.payloadBytes === bytes);
    const [ours, bare, memory] = [find(at, "echo-socket-redis"), find(at, "socket.io-redis"), find(at, "echo-socket")];
    if (ours && memory) {
      list.push({ name: `redis ${bytes} B: throughput echo-socket Redis / memory mode`, ...roundRatio(ours, memory, "echoesPerSecond") });
      list.push({ name: `redis ${bytes} B: server CPU per echo echo-socket Redis / memory mode`, ...roundRatio(ours, memory, "serverCpuMicrosPerEcho") });
    }
    if (ours && bare) {
      list.push({ name: `redis ${bytes} B: throughput echo-socket / socket.io, same adapter`, ...roundRatio(ours, bare, "echoesPerSecond") });
      list.push({ name: `redis ${bytes} B: p99 echo-socket / socket.io, same adapter`, ...roundRatio(ours, bare, "p99Ms") });
      list.push({ name: `redis ${bytes} B: server CPU per echo echo-socket / socket.io, same adapter`, ...roundRatio(ours, bare, "serverCpuMicrosPerEcho") });
    }
  }
  return list;
}

/** The run in the terminal: the same Markdown the README shows. */
export function printTable(report: BenchReport): void {
  console.log(`\n${renderMarkdown(report)}`);
}

/** What one `npm run bench` writes to bench/results/ (`latest.json` and a dated copy). */
export interface BenchReport {
  date: string;
  size: keyof typeof SIZES;
  /** The size's settings when the run was made (older reports: read from sizes.ts). */
  settings?: BenchSize;
  machine: Machine;
  results: BenchResults;
  /** As computed when the run was made; the Markdown recomputes them from `results` (the current targets). */
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
const CONTENDER_NAMES: Record<string, string> = {
  "echo-socket": "echo-socket",
  "socket.io": "socket.io",
  "raw-ws": "raw ws",
  "echo-socket-redis": "echo-socket, Redis mode (Streams adapter + Redis store)",
  "socket.io-redis": "socket.io + Redis Streams adapter",
};
const NOT_MEASURED = "not measured in this run";
/** A median with its min–max over rounds when they differ: "13.6 (12.9–14.8)". */
const withSpread = (median: number, range: Spread | undefined, show: (value: number) => string): string =>
  range && range.min !== range.max ? `${show(range.median)} (${show(range.min)}–${show(range.max)})` : show(median);
const ratioValue = (ratio: Ratio): string =>
  ratio.display ??
  (Number.isNaN(ratio.value)
    ? "–"
    : ratio.min !== undefined && ratio.max !== undefined && ratio.min !== ratio.max
      ? `${figure(ratio.value, 2)} (${figure(ratio.min, 2)}–${figure(ratio.max, 2)})`
      : figure(ratio.value, 2));
const ratioTarget = (ratio: Ratio): string =>
  `${ratio.target ?? ""}${ratio.measured === false ? `: ${NOT_MEASURED}` : ratio.met === undefined ? "" : ratio.met ? ": met" : ": not met"}`;
/** "127.0.0.2–127.0.0.21" */
const addressRange = (addresses: readonly string[]): string =>
  addresses.length > 1 ? `${addresses[0]}–${addresses[addresses.length - 1]}` : (addresses[0] ?? "127.0.0.1");

/**
 * The run as the README's Performance section shows it (between its `bench:latest` markers) and as
 * `bench/results/latest.md` holds it: the machine, the throughput table, the other scenarios and the
 * same-run ratios. A test renders `latest.json` with this and compares it with the README.
 */
export function renderMarkdown(report: BenchReport): string {
  const { machine: host, results } = report;
  const size = report.settings ?? SIZES[report.size];
  const lines: string[] = [];
  const load = host.loadAverage
    ? `, load average ${host.loadAverage.start[0]!.toFixed(1)} at the start and ${host.loadAverage.end[0]!.toFixed(1)} at the end`
    : "";
  lines.push(
    `Latest run: ${report.date.slice(0, 10)}, ${host.cpus} vCPUs (${host.model}), ${host.memoryGiB} GiB, Node.js ${host.node} on ${host.os ?? host.platform}${load}; ` +
      `client and server share the cores. ${size.websocket ? `WebSocket: ${size.websocket.clients} lean clients, ${size.websocket.inFlight} messages in flight each; polling: ` : ""}${size.clients} lean clients, ${size.inFlight} messages in flight each, ${size.rounds} round${size.rounds === 1 ? "" : "s"} of ${size.durationMs / 1000} s, ` +
      `medians${results.throughput.some((row) => row.spread) ? " (min–max over rounds in brackets)" : ""}.`,
  );
  lines.push("", "| transport | payload | contender | echoes/s | p50 ms | p99 ms | server CPU µs/echo |", "| --- | --- | --- | ---: | ---: | ---: | ---: |");
  for (const row of results.throughput) {
    lines.push(
      `| ${row.transport} | ${payload(row.payloadBytes)} | ${CONTENDER_NAMES[row.contender] ?? row.contender} | ` +
        `${withSpread(row.echoesPerSecond, row.spread?.echoesPerSecond, grouped)} | ${figure(row.p50Ms, 2)} | ` +
        `${withSpread(row.p99Ms, row.spread?.p99Ms, (v) => figure(v, 2))} | ${withSpread(row.serverCpuMicrosPerEcho, row.spread?.serverCpuMicrosPerEcho, (v) => figure(v, 1))} |`,
    );
  }
  const counted = results.throughput.flatMap((row) => row.rounds ?? []).filter((round) => round.refused !== undefined);
  if (counted.length > 0) {
    const refused = counted.reduce((sum, round) => sum + round.refused!, 0);
    lines.push("", `Messages refused by a limit during the measured windows, all rows and rounds: ${grouped(refused)}.`);
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
  lines.push("", ...soakMarkdown(results.soak, host));
  lines.push("", ...redisMarkdown(results.redis));
  // Recomputed from the results, so the targets are issue 17's whatever the report was written with.
  const list = ratios(results);
  lines.push("", "Ratios: the median of the per-round ratios, min–max in brackets (a ratio of medians where a run kept no rounds); targets from issue 17.");
  lines.push("", "| same-run ratio | value | target |", "| --- | ---: | --- |");
  for (const ratio of list) lines.push(tableRow([ratio.name, ratioValue(ratio), ratioTarget(ratio)]));
  return `${lines.join("\n")}\n`;
}

function soakMarkdown(rows: readonly SoakRow[] | undefined, host: Machine): string[] {
  const first = rows?.[0];
  if (!rows || !first) return [`Soak (open loop, echo-socket vs bare socket.io): ${NOT_MEASURED}.`];
  const lines = [
    `| soak: open loop, ${grouped(first.clients)} clients × ${first.messagesPerSecond} messages/s × ${first.durationMs / 1000} s | p50 ms | p99 ms | lost | duplicated | out of order | server RSS start → end (peak) | RSS growth |`,
    "| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: |",
  ];
  for (const row of rows)
    lines.push(
      tableRow([
        CONTENDER_NAMES[row.contender] ?? row.contender,
        figure(row.p50Ms, 2),
        figure(row.p99Ms, 2),
        grouped(row.lost),
        grouped(row.duplicated),
        grouped(row.outOfOrder),
        `${mb(row.rssStartBytes)} → ${mb(row.rssEndBytes)} (${mb(row.rssPeakBytes)})`,
        signedMb(row.rssGrowthBytes),
      ]),
    );
  const generator = rows
    .map(
      (row) =>
        `${row.clientCpuCores.toFixed(2)} cores against ${CONTENDER_NAMES[row.contender] ?? row.contender} (p99 lag behind its schedule ${figure(row.scheduleLagP99Ms, 1)} ms` +
        `${Number.isFinite(row.machineBusyCores) ? `; the whole machine ${row.machineBusyCores.toFixed(2)} of ${host.cpus} cores busy` : ""})`,
    )
    .join(" and ");
  lines.push(
    "",
    `The soak's clients came from ${addressRange(first.localAddresses)} (${first.localAddresses.length} loopback addresses, at most ` +
      `${Math.ceil(first.clients / first.localAddresses.length)} clients each, under echo-socket's per-address limits); each message carries its ` +
      `client's sequence number, and what has not come back after a drain of at most ${figure(first.graceMs / 1000, 0)} s counts as lost. The load generator used ${generator}.`,
  );
  return lines;
}

function redisMarkdown(rows: readonly RedisRow[] | undefined): string[] {
  if (!rows || rows.length === 0) return [`Redis mode (two nodes sharing Redis): ${NOT_MEASURED}.`];
  const lines = [
    "| Redis mode, websocket, clients split across the nodes | payload | nodes | echoes/s | p99 ms | server CPU µs/echo, all nodes |",
    "| --- | --- | ---: | ---: | ---: | ---: |",
  ];
  for (const row of rows)
    lines.push(
      tableRow([
        row.mode === "memory" ? "echo-socket, memory mode (reference)" : (CONTENDER_NAMES[row.contender] ?? row.contender),
        payload(row.payloadBytes),
        String(row.nodes),
        withSpread(row.echoesPerSecond, row.spread?.echoesPerSecond, grouped),
        withSpread(row.p99Ms, row.spread?.p99Ms, (v) => figure(v, 2)),
        withSpread(row.serverCpuMicrosPerEcho, row.spread?.serverCpuMicrosPerEcho, (v) => figure(v, 1)),
      ]),
    );
  const costs = [...new Set(rows.map((row) => row.payloadBytes))].flatMap((bytes) => {
    const at = rows.filter((row) => row.payloadBytes === bytes);
    const [ours, bare, memory] = [find(at, "echo-socket-redis"), find(at, "socket.io-redis"), find(at, "echo-socket")];
    if (!ours || !memory || !bare) return [];
    const x = (a: RoundsSummary, b: RoundsSummary, f: Figure) => `${roundRatio(a, b, f).value.toFixed(2)}×`;
    return [
      `at ${payload(bytes)}, ${x(ours, memory, "echoesPerSecond")} memory mode's echoes/s for ${x(ours, memory, "serverCpuMicrosPerEcho")} its server CPU per echo, ` +
        `and ${x(ours, bare, "echoesPerSecond")} bare socket.io's echoes/s with the same adapter for ${x(ours, bare, "serverCpuMicrosPerEcho")} its CPU per echo`,
    ];
  });
  lines.push(
    "",
    `What Redis mode costs echo-socket: ${costs.length > 0 ? costs.join("; ") : "n/a"}. Redis's own CPU is not counted. echo-socket's per-connection rate limit is ` +
      "raised in this scenario (as in the cluster one). An echo goes to its sender, on the node it came to: echo-socket keeps it in that node's recovery ring and writes it " +
      "from there, without the Redis stream; application broadcasts still go through the stream. Bare socket.io has no recovery and writes directly.",
  );
  return lines;
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
