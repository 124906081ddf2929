// Scenario: the soak. An open loop (messages leave on a schedule, whether or not echoes came back):
// N clients each sending R messages a second for D seconds, over the lean raw-ws protocol client,
// against echo-socket (default options) and bare socket.io, each in a fresh server process. Every
// message carries its client's sequence number, so the client counts what never came back (after a
// bounded grace drain), what came back twice and what came back out of order. The server's RSS is
// sampled every second over IPC (no forced GC): at the start (after every client connected), the
// peak, and at the end.
import { readFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { WebSocket } from "ws";
import { rounds, type ContenderKind } from "../contenders.js";
import { LatencyRecorder } from "../latency.js";
import { sleep } from "../lean-ws-client.js";
import type { BenchSize, SoakSize } from "../sizes.js";
import type { ServerProcess } from "../../test/support/server-process.js";

export interface SoakRow {
  contender: ContenderKind;
  clients: number;
  messagesPerSecond: number;
  durationMs: number;
  /** The loopback source addresses the clients were spread over (echo-socket's limits are per address). */
  localAddresses: string[];
  sent: number;
  /** Distinct messages echoed back (by the end of the grace drain). */
  echoed: number;
  lost: number;
  duplicated: number;
  outOfOrder: number;
  /** Packets other than echoes, pings and the handshake (a refusal, say), and the first of them (cut to 200 characters). */
  otherPackets: number;
  firstOtherPacket?: string;
  /** Clients whose connection closed during the soak. */
  disconnected: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** How long the drain after the last send took, and its bound. */
  drainMs: number;
  graceMs: number;
  rssStartBytes: number;
  rssEndBytes: number;
  rssGrowthBytes: number;
  rssPeakBytes: number;
  serverCpuMicrosPerEcho: number;
  /** The load generator itself: CPU time over wall time of the sending window (1 = one core busy). */
  clientCpuCores: number;
  /** How late the generator sent its messages against the schedule (p99, ms): large means it could not keep up. */
  scheduleLagP99Ms: number;
  /** The whole machine's busy CPU over the sending window, in cores (Linux /proc/stat; NaN elsewhere): others' load shows here. */
  machineBusyCores: number;
  /** The 1-minute load average when the sending began and when it ended. */
  loadAverage: [number, number];
}

/** Busy and total jiffies of all CPUs so far (Linux), or undefined. */
function cpuTimes(): { busy: number; total: number } | undefined {
  try {
    const fields = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
    const total = fields.reduce((a, b) => a + b, 0);
    return { busy: total - fields[3]! - (fields[4] ?? 0), total };
  } catch {
    return undefined;
  }
}

interface ServerSample {
  rss: number;
  heapUsed: number;
  cpuMicros: number;
}

/** Asks serve.mjs for a sample (rss, heap, CPU; no GC). Only one question is out at a time. */
function sample(server: ServerProcess): Promise<ServerSample> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      server.child.off("message", onMessage);
      reject(new Error("no answer to sample"));
    }, 5000);
    const onMessage = (message: unknown): void => {
      if (typeof message !== "object" || message === null || !("sample" in message)) return;
      clearTimeout(timer);
      server.child.off("message", onMessage);
      resolve(message as unknown as ServerSample);
    };
    server.child.on("message", onMessage);
    server.child.send("sample");
  });
}

const ECHO_PREFIX = '42["echo","';
const PAD = ":soak-payload";
const READY_PREFIX = '42["echo-socket:ready",';

/** One client of the soak: sends message `seq` when told, and sorts what comes back. */
class SoakClient {
  private ws!: WebSocket;
  private readonly sentAt: Float64Array;
  private readonly seen: Uint8Array;
  private highest = -1;
  sent = 0;
  echoed = 0;
  duplicated = 0;
  outOfOrder = 0;
  otherPackets = 0;
  firstOther?: string;
  closed = false;

  constructor(
    private readonly port: number,
    private readonly localAddress: string,
    capacity: number,
    private readonly latencies: LatencyRecorder,
  ) {
    this.sentAt = new Float64Array(capacity);
    this.seen = new Uint8Array(capacity);
  }

  open(): Promise<void> {
    this.ws = new WebSocket(`ws://127.0.0.1:${this.port}/socket.io/?EIO=4&transport=websocket`, { perMessageDeflate: false, localAddress: this.localAddress });
    this.ws.on("close", () => (this.closed = true));
    return new Promise((resolve, reject) => {
      this.ws.once("error", reject);
      this.ws.on("message", (data) => {
        const text = data.toString();
        if (text.startsWith(ECHO_PREFIX)) return this.echo(Number.parseInt(text.slice(ECHO_PREFIX.length), 10));
        if (text === "2") return this.ws.send("3");
        if (text.startsWith("0")) return this.ws.send("40");
        if (text.startsWith("40")) return resolve();
        if (text.startsWith(READY_PREFIX)) return; // echo-socket says what it offers: part of the handshake
        this.other(text);
      });
    });
  }

  send(seq: number): void {
    this.sentAt[seq] = performance.now();
    this.sent++;
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(`42["ms","${seq}${PAD}"]`);
  }

  get outstanding(): number {
    return this.sent - this.echoed;
  }

  close(): void {
    this.ws?.terminate();
  }

  private other(text: string): void {
    this.otherPackets++;
    this.firstOther ??= text.slice(0, 200);
  }

  private echo(seq: number): void {
    if (!(seq >= 0 && seq < this.sent)) return void this.otherPackets++;
    if (this.seen[seq]) return void this.duplicated++;
    this.seen[seq] = 1;
    this.echoed++;
    this.latencies.add(performance.now() - this.sentAt[seq]!);
    if (seq < this.highest) this.outOfOrder++;
    else this.highest = seq;
  }
}

/** 127.0.0.2, 127.0.0.3, ...: one for every `perAddress` clients. */
export function soakAddresses(soak: SoakSize): string[] {
  return Array.from({ length: Math.ceil(soak.clients / soak.clientsPerAddress) }, (_, i) => `127.0.${Math.floor((i + 2) / 256)}.${(i + 2) % 256}`);
}

async function soakOnce(kind: ContenderKind, server: ServerProcess, soak: SoakSize): Promise<SoakRow> {
  const addresses = soakAddresses(soak);
  const perClient = Math.round((soak.messagesPerSecond * soak.durationMs) / 1000);
  const total = perClient * soak.clients;
  const latencies = new LatencyRecorder();
  const lags = new LatencyRecorder();
  const clients = Array.from(
    { length: soak.clients },
    (_, i) => new SoakClient(server.port, addresses[Math.floor(i / soak.clientsPerAddress)]!, perClient, latencies),
  );
  try {
    for (let start = 0; start < clients.length; start += 100) await Promise.all(clients.slice(start, start + 100).map((client) => client.open()));
    const first = await sample(server);
    let peak = first.rss;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        await sleep(1000);
        if (sampling) peak = Math.max(peak, (await sample(server)).rss);
      }
    })();

    // Message n goes to client n % clients as its message n / clients, at t0 + n / (total rate).
    const perMs = (soak.clients * soak.messagesPerSecond) / 1000;
    const cpuBefore = process.cpuUsage();
    const machineBefore = cpuTimes();
    const loadBefore = loadavg()[0]!;
    const t0 = performance.now();
    let n = 0;
    await new Promise<void>((resolve) => {
      const tick = (): void => {
        const now = performance.now();
        const due = Math.min(total, Math.floor((now - t0) * perMs) + 1);
        for (; n < due; n++) {
          lags.add(now - (t0 + n / perMs));
          clients[n % soak.clients]!.send(Math.floor(n / soak.clients));
        }
        if (n < total) setTimeout(tick, 2);
        else resolve();
      };
      tick();
    });
    const sendingMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpuBefore);
    const machineAfter = cpuTimes();
    const loadAfter = loadavg()[0]!;
    const drainStarted = performance.now();
    while (clients.some((client) => client.outstanding > 0 && !client.closed) && performance.now() - drainStarted < soak.graceMs) await sleep(50);
    const drainMs = performance.now() - drainStarted;
    sampling = false;
    await sampler;
    const last = await sample(server);
    peak = Math.max(peak, last.rss);

    const sum = (figure: (client: SoakClient) => number): number => clients.reduce((total, client) => total + figure(client), 0);
    const echoed = sum((client) => client.echoed);
    const { p50Ms, p99Ms } = latencies.percentiles();
    return {
      contender: kind,
      clients: soak.clients,
      messagesPerSecond: soak.messagesPerSecond,
      durationMs: soak.durationMs,
      localAddresses: addresses,
      sent: sum((client) => client.sent),
      echoed,
      lost: sum((client) => client.outstanding),
      duplicated: sum((client) => client.duplicated),
      outOfOrder: sum((client) => client.outOfOrder),
      otherPackets: sum((client) => client.otherPackets),
      firstOtherPacket: clients.find((client) => client.firstOther !== undefined)?.firstOther,
      disconnected: sum((client) => (client.closed ? 1 : 0)),
      p50Ms,
      p99Ms,
      maxMs: latencies.max,
      drainMs,
      graceMs: soak.graceMs,
      rssStartBytes: first.rss,
      rssEndBytes: last.rss,
      rssGrowthBytes: last.rss - first.rss,
      rssPeakBytes: peak,
      serverCpuMicrosPerEcho: (last.cpuMicros - first.cpuMicros) / echoed,
      clientCpuCores: (cpu.user + cpu.system) / 1000 / sendingMs,
      scheduleLagP99Ms: lags.percentiles().p99Ms,
      machineBusyCores:
        machineBefore && machineAfter
          ? ((machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total)) * availableParallelism()
          : Number.NaN,
      loadAverage: [loadBefore, loadAfter],
    };
  } finally {
    for (const client of clients) client.close();
  }
}

/** echo-socket (default options) vs bare socket.io, one round each, fresh processes. */
export async function soakScenario(size: BenchSize): Promise<SoakRow[]> {
  const results = await rounds(["echo-socket", "socket.io"], 1, (kind, server) => soakOnce(kind, server, size.soak));
  return Object.values(results).map((runs) => runs[0]!);
}
