// `echo-socket check` against hostile servers (an outside review's findings): a server that stalls a
// POST, floods pings, sends escape sequences, refusal codes by the thousand, a huge ready event,
// absurd heartbeat settings or hundreds of cookies. Each is a small engine.io speaker on loopback.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocketServer, type WebSocket } from "ws";
import { DEFAULT_PATH, ERROR_EVENT, READY_EVENT } from "../../protocol/index.js";
import { parseArgs, UsageError } from "../../cli/args.js";
import { MAX_SOCKETS } from "../../cli/check/http-client.js";
import { runCheck, type CheckReport } from "../../cli/check/run.js";
import type { CheckOptions, CheckResult } from "../../cli/check/types.js";
import { pollingVerdict, reachableVerdict, websocketVerdict } from "../../cli/check/verdicts.js";
import { printable, reportJson, resultLines } from "../../cli/output.js";

const ESC = "\x1b";
/** Clears the screen, paints red, sets the window title. */
const INJECTION = `${ESC}[2J${ESC}[31;1mPWNED${ESC}]0;owned-title\x07${ESC}[0m\u202e`;
/** What must never reach a terminal from the server (newlines between lines are the printer's own). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the characters looked for
const RAW_CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Behaviour {
  /** Called first on every HTTP request (not the upgrade). */
  before?(req: IncomingMessage, res: ServerResponse): void;
  /** The handshake's answer (no sid); default: an open packet. */
  handshake?(req: IncomingMessage, res: ServerResponse): boolean;
  /** The open packet's fields besides the sid. */
  open?: Record<string, unknown> | string;
  /** Packets the server answers `packet` (a POSTed or WebSocket message) with. */
  reply?(packet: string, sid: string): string[];
  /** A POST on a session; return true when handled. */
  post?(sid: string, body: string, res: ServerResponse): boolean;
  /** A long-polling GET on a session; return true when handled. */
  get?(sid: string, res: ServerResponse, gets: number): boolean;
  /** A WebSocket, after the open packet was sent (direct) or not (upgrade); default: refuse the upgrade with 400. */
  websocket?(ws: WebSocket, upgrading: boolean, sid: string): void;
}

interface Hostile {
  url: string;
  /** TCP connections accepted so far, and the most open at once. */
  connections(): number;
  maxOpen(): number;
  posts: string[];
}

const defaultReply = (packet: string, sid: string): string[] => {
  if (packet === "40") return [`40{"sid":"${sid}x"}`];
  const event = /^42(\d*)(\[.*)$/s.exec(packet);
  if (!event) return [];
  const args = JSON.parse(event[2]!) as unknown[];
  return [`42${JSON.stringify(["echo", ...args.slice(1)])}`];
};

/** A hand-written engine.io server on 127.0.0.1, port 0, misbehaving as `b` says. */
async function hostile(b: Behaviour = {}): Promise<Hostile> {
  let next = 0;
  const pending = new Map<string, string[]>();
  const waiting = new Map<string, () => void>();
  const gets = new Map<string, number>();
  const posts: string[] = [];
  const reply = b.reply ?? defaultReply;
  const openPacket = (sid: string): string =>
    typeof b.open === "string"
      ? `0${b.open.replace("SID", sid)}`
      : `0${JSON.stringify({ sid, upgrades: ["websocket"], pingInterval: 25000, pingTimeout: 20000, maxPayload: 1e6, ...b.open })}`;
  const deliver = (sid: string, packets: string[]): void => {
    if (!packets.length) return;
    pending.get(sid)?.push(...packets);
    waiting.get(sid)?.();
  };
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((req, res) => {
    b.before?.(req, res);
    const sid = new URL(req.url!, "http://x").searchParams.get("sid");
    if (!sid) {
      if (b.handshake?.(req, res)) return;
      const id = `s${next++}`;
      pending.set(id, []);
      res.writeHead(200, { "content-type": "text/plain; charset=UTF-8" });
      res.end(openPacket(id));
      return;
    }
    if (req.method === "GET") {
      const n = (gets.get(sid) ?? 0) + 1;
      gets.set(sid, n);
      if (b.get?.(sid, res, n)) return;
      const answer = (): void => {
        clearTimeout(timer);
        timers.delete(timer);
        waiting.delete(sid);
        const packets = pending.get(sid)?.splice(0) ?? [];
        res.writeHead(200);
        res.end(packets.length ? packets.join("\x1e") : "6");
      };
      const timer = setTimeout(answer, 500); // a short long poll: a noop when nothing is due
      timers.add(timer);
      if (pending.get(sid)?.length) answer();
      else waiting.set(sid, answer);
      return;
    }
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      body += chunk;
    });
    req.on("end", () => {
      posts.push(body);
      if (b.post?.(sid, body, res)) return;
      res.writeHead(200);
      res.end("ok");
      for (const packet of body.split("\x1e")) deliver(sid, reply(packet, sid));
    });
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on("upgrade", (req, socket, head) => {
    if (!b.websocket) {
      socket.end("HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n");
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const upgrading = new URL(req.url!, "http://x").searchParams.get("sid");
      const sid = upgrading ?? `s${next++}`;
      ws.on("error", () => {});
      if (!upgrading) ws.send(openPacket(sid));
      b.websocket!(ws, upgrading !== null, sid);
    });
  });
  let connections = 0;
  let open = 0;
  let maxOpen = 0;
  const sockets = new Set<Socket>();
  server.on("connection", (socket) => {
    connections++;
    maxOpen = Math.max(maxOpen, ++open);
    sockets.add(socket);
    socket.on("close", () => {
      open--;
      sockets.delete(socket);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(async () => {
    for (const timer of timers) clearTimeout(timer);
    for (const ws of wss.clients) ws.terminate();
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, connections: () => connections, maxOpen: () => maxOpen, posts };
}

/** A WebSocket that speaks like the default engine: probes, CONNECT and echoes. */
const echoingWebSocket =
  (extra: (ws: WebSocket, packet: string) => boolean = () => false) =>
  (ws: WebSocket, _upgrading: boolean, sid: string): void => {
    ws.on("message", (data) => {
      const packet = String(data);
      if (extra(ws, packet)) return;
      if (packet === "2probe") ws.send("3probe");
      else for (const out of defaultReply(packet, sid)) ws.send(out);
    });
  };

function check(url: string, options: Partial<CheckOptions> = {}): Promise<CheckReport> {
  return runCheck({ url, path: DEFAULT_PATH, send: "ms", reply: "echo", messages: 3, holdSeconds: 0, timeoutSeconds: 1, json: false, ...options });
}
const named = (report: CheckReport, name: string): CheckResult => report.checks.find((c) => c.name === name)!;
const printed = (report: CheckReport): string => report.checks.map(resultLines).join("\n");

/** `echo-socket check` in a child process (from the sources): its exit code and output. */
async function cli(args: string[], nodeArgs: string[] = []): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [...nodeArgs, "--import", "tsx", "cli/main.ts", "check", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  cleanups.push(() => {
    if (child.exitCode === null) child.kill("SIGKILL");
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  const [code] = (await once(child, "close")) as [number | null];
  return { code, stdout, stderr };
}

describe("C1: a send that fails or outlasts its wait is a verdict, not a crash", () => {
  it("an event POST never answered: --json still prints the report, exit 1", async () => {
    const server = await hostile({ post: (_sid, body) => body.startsWith("42") }); // never answers an event's POST
    const run = await cli([server.url, "--timeout", "1", "--messages", "2", "--json"]);
    expect(run.stderr).not.toMatch(/StepError|\n\s+at /);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as CheckReport;
    expect(report.ok).toBe(false);
    expect(named(report, "echo")).toMatchObject({ verdict: "fail" });
    expect(named(report, "echo").detail).toMatch(/no "echo" event within 1 s/);
  });

  it("the CONNECT's POST refused during --hold: the heartbeat fails, the run ends with its summary", async () => {
    const server = await hostile({
      post: (_sid, body, res) => {
        if (body !== "40" || server.posts.filter((p) => p === "40").length < 2) return false; // the polling check's CONNECT passes
        res.writeHead(400);
        res.end('{"code":1,"message":"Session ID unknown"}');
        return true;
      },
    });
    const run = await cli([server.url, "--timeout", "1", "--messages", "2", "--hold", "1"]);
    expect(run.stderr).not.toMatch(/StepError|\n\s+at /);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^fail {2}heartbeat .*could not start: .*HTTP 400/m);
    expect(run.stdout).toMatch(/^FAILED: .*\(exit 1\)$/m);
  });

  it("requests on a session never answered, with --hold: every check decided, exit 1", async () => {
    const server = await hostile({ post: () => true, get: () => true }); // accepts, never answers
    const run = await cli([server.url, "--timeout", "0.5", "--messages", "2", "--hold", "2"]);
    expect(run.stderr).not.toMatch(/StepError|\n\s+at /);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^fail {2}heartbeat .*could not start: the socket.io CONNECT reply: no answer within 0.5 s/m);
    expect(run.stdout).toMatch(/^FAILED: .*\(exit 1\)$/m);
  });
});

describe("C1: the last resort", () => {
  // A rejection nobody handles, raised in the check's process once the check has started (its handler is in place).
  const source = `const wait = setInterval(() => {
    if (process.listenerCount("unhandledRejection") === 0) return;
    clearInterval(wait);
    Promise.reject(new Error("stray \\x1b[2J"));
  }, 5);`;
  const stray = `data:text/javascript,${encodeURIComponent(source)}`;

  it("an unhandled rejection mid-run: valid JSON with ok false, exit 1", async () => {
    const server = await hostile({ post: () => true, get: () => true });
    const run = await cli([server.url, "--timeout", "2", "--json"], ["--import", stray]);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as { ok: boolean; exitCode: number; error: string };
    expect(report).toMatchObject({ ok: false, exitCode: 1, error: "the check broke: stray \x1b[2J" });
  });

  it("in text mode: a FAILED line, escaped, exit 1", async () => {
    const server = await hostile({ post: () => true, get: () => true });
    const run = await cli([server.url, "--timeout", "2"], ["--import", stray]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^FAILED: the check broke: stray \\x1b\[2J \(\d+ check\(s\) decided before\) \(exit 1\)$/m);
    expect(run.stdout).not.toMatch(RAW_CONTROL);
  });
});

/** A server whose third long-poll of a session answers, once, with `count` copies of `packet`. */
async function floodingOnce(packet: string, count: number): Promise<{ server: Hostile; flooded: () => boolean }> {
  let flooded = false;
  const server = await hostile({
    get: (_sid, res, n) => {
      if (flooded || n < 2) return false;
      flooded = true;
      res.writeHead(200);
      res.end(Array(count).fill(packet).join("\x1e"));
      return true;
    },
  });
  return { server, flooded: () => flooded };
}

describe("C2: a ping flood over long-polling costs a pong or two, not a connection per ping", () => {
  it("2,000 pings in one long-polling answer: at most a few connections at once, a handful of pongs", async () => {
    const { server, flooded } = await floodingOnce("2", 2000);
    const report = await check(server.url, { messages: 2, timeoutSeconds: 2 });
    expect(flooded()).toBe(true);
    const pongs = server.posts.filter((body) => body === "3").length;
    expect(pongs).toBeGreaterThanOrEqual(1);
    expect(pongs).toBeLessThanOrEqual(3);
    // The agent's sockets, the reachable check's raw TCP connection and the refused upgrades.
    expect(server.maxOpen()).toBeLessThanOrEqual(MAX_SOCKETS + 2);
    expect(server.connections()).toBeLessThan(50);
    expect(named(report, "echo").verdict).toBe("pass");
  });

  it("more packets in one answer than a burst could bring: the link is closed as not socket.io", async () => {
    const { server, flooded } = await floodingOnce("6", 30_000);
    const report = await check(server.url, { messages: 2, timeoutSeconds: 2 });
    expect(flooded()).toBe(true);
    expect(named(report, "echo").verdict).toBe("fail");
    expect(named(report, "echo").detail).toMatch(/30000 packets/);
  });
});

describe("C3: server text reaches the terminal escaped", () => {
  it("a CONNECT_ERROR message, a WebSocket close reason and a refused origin's body: escaped, visibly", async () => {
    const server = await hostile({
      handshake: (req, res) => {
        if (!req.headers.origin) return false;
        res.writeHead(403);
        res.end(`no ${INJECTION}`);
        return true;
      },
      reply: (packet, sid) => (packet === "40" ? [`44${JSON.stringify({ message: `denied ${INJECTION}` })}`] : defaultReply(packet, sid)),
      websocket: echoingWebSocket((ws, packet) => {
        if (packet !== "40") return false;
        ws.close(4000, INJECTION.slice(0, 40));
        return true;
      }),
    });
    const report = await check(server.url, { origin: "https://a.example" });
    const text = printed(report);
    expect(named(report, "echo").detail).toContain(ESC); // the raw text is kept for --json
    expect(text).not.toMatch(RAW_CONTROL);
    expect(resultLines(named(report, "echo"))).toContain("denied \\x1b[2J\\x1b[31;1mPWNED\\x1b]0;owned-title\\x07\\x1b[0m\\u202e");
    expect(resultLines(named(report, "origin"))).toContain("no \\x1b[2J");
    expect(resultLines(named(report, "upgrade"))).toContain("\\x1b[2J");
    const json = reportJson(report);
    expect(json).not.toMatch(RAW_CONTROL);
    expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(report)));
  });

  it("a redirect's Location with U+009B (CSI): escaped", async () => {
    const server = await hostile({
      handshake: (_req, res) => {
        res.writeHead(302, { location: "/elsewhere\u009b31mC1" });
        res.end();
        return true;
      },
    });
    const report = await check(server.url);
    expect(named(report, "reachable").detail).toContain("\u009b");
    expect(printed(report)).not.toMatch(RAW_CONTROL);
    expect(resultLines(named(report, "reachable"))).toContain("/elsewhere\\x9b31mC1");
  });

  it("printable() escapes controls and bidi characters and caps the length", () => {
    expect(printable("a\x1b[2Jb\x07\u009b\u202e\u2066c\nd")).toBe("a\\x1b[2Jb\\x07\\x9b\\u202e\\u2066c\\x0ad");
    const long = printable("x".repeat(100_000));
    expect(long.length).toBeLessThan(2100);
    expect(long).toMatch(/… \(98000 more characters\)$/);
  });
});

describe("C4: what the server sends is counted and shown within bounds", () => {
  it("thousands of distinct refusal codes: 20 kept by name, the rest counted as other; the output stays small", async () => {
    let n = 0;
    const server = await hostile({
      websocket: echoingWebSocket((ws, packet) => {
        if (packet === "40") {
          ws.send('40{"sid":"x"}');
          ws.send(`42${JSON.stringify([READY_EVENT, { delivery: 1 }])}`);
          return true;
        }
        if (!packet.startsWith("42")) return false;
        for (let i = 0; i < 200; i++)
          ws.send(`42${JSON.stringify([ERROR_EVENT, { code: i % 2 ? `code_${"abcdefghij"[n++ % 10]}${n}` : `c${n++}${INJECTION}` }])}`);
        return false;
      }),
    });
    const report = await check(server.url, { messages: 10, timeoutSeconds: 2 });
    const extras = named(report, "extras");
    const codes = extras.figures?.refusalCodes as string[];
    expect(codes.length).toBeLessThanOrEqual(21);
    expect(codes).toContain("other");
    expect(codes.every((code) => /^[a-z_]{1,40}$/.test(code))).toBe(true);
    expect(reportJson(report).length).toBeLessThan(20_000);
    expect(printed(report).length).toBeLessThan(10_000);
  });

  it("a 1 MB ready event and acknowledgement: shown as a short snippet", async () => {
    const big = "R".repeat(1024 * 1024);
    const server = await hostile({
      websocket: echoingWebSocket((ws, packet) => {
        if (packet === "40") {
          ws.send('40{"sid":"x"}');
          ws.send(`42${JSON.stringify([READY_EVENT, big])}`);
          return true;
        }
        const ack = /^42(\d+)\[/.exec(packet);
        if (ack) ws.send(`43${ack[1]}${JSON.stringify([{ ok: true, id: big }])}`);
        return false;
      }),
    });
    const report = await check(server.url, { messages: 2 });
    const extras = named(report, "extras");
    expect(extras.verdict).toBe("pass");
    expect(extras.detail).toMatch(/"R{20,}… \(1048578 characters\) on connect/);
    expect(extras.detail.length).toBeLessThan(1000);
    expect(reportJson(report).length).toBeLessThan(20_000);
  });
});

describe("C5: heartbeat settings no client can use make a malformed open packet", () => {
  for (const [what, open] of [
    ["0", { pingInterval: 0, pingTimeout: 0 }],
    ["negative", { pingInterval: -5000, pingTimeout: -1 }],
    ["1e12 (a timer overflow)", { pingInterval: 1e12, pingTimeout: 1e12 }],
    ["a fraction", { pingInterval: 25000.5 }],
    ["1e999 (Infinity)", '{"sid":"SID","upgrades":["websocket"],"pingInterval":1e999,"pingTimeout":20000}'],
  ] as const) {
    it(`pingInterval ${what}: reachable fails, naming the setting`, async () => {
      const server = await hostile({ open });
      const report = await check(server.url, { holdSeconds: 1 });
      const reachable = named(report, "reachable");
      expect(reachable.verdict).toBe("fail");
      expect(reachable.detail).toMatch(/open packet is malformed: pingInterval .*whole number of milliseconds from 1 to 2147483647/);
      expect(report.ok).toBe(false);
    });
  }

  it("over a direct WebSocket (long-polling off): the websocket check fails on the open packet", async () => {
    const server = await hostile({
      handshake: (_req, res) => {
        res.writeHead(400);
        res.end('{"code":0,"message":"Transport unknown"}');
        return true;
      },
      open: { pingInterval: 1e12, pingTimeout: 1e12 },
      websocket: echoingWebSocket(),
    });
    const report = await check(server.url, { holdSeconds: 1 });
    expect(named(report, "websocket").verdict).toBe("fail");
    expect(named(report, "websocket").detail).toMatch(/malformed open packet: pingInterval 1000000000000, pingTimeout 1000000000000/);
  });
});

describe("C6: cookies, numbers, ports and IPv6", () => {
  it("300 cookies on every answer: the jar keeps a browser's worth, the checks pass", async () => {
    let n = 0;
    let longest = 0;
    const server = await hostile({
      before: (req, res) => {
        longest = Math.max(longest, req.headers.cookie?.length ?? 0);
        res.setHeader(
          "set-cookie",
          Array.from({ length: 300 }, () => `c${n++}=${"v".repeat(30)}`),
        );
      },
      websocket: echoingWebSocket(),
    });
    const report = await check(server.url, { messages: 2 });
    expect(n).toBeGreaterThan(300);
    expect(named(report, "polling").verdict).toBe("pass");
    expect(named(report, "websocket").verdict).toBe("pass");
    expect(longest).toBeGreaterThan(0);
    expect(longest).toBeLessThanOrEqual(4096);
  });

  it("HTTP 431 on the upgrade is named as too large a request, not blamed on the Upgrade header", () => {
    const result = websocketVerdict({
      kind: "direct",
      pollingWorks: true,
      offered: true,
      stage: "upgrade request",
      failure: { step: "websocket", kind: "status", status: 431, message: "the WebSocket upgrade was answered with HTTP 431 instead of 101" },
    });
    expect(result.verdict).toBe("fail");
    expect(result.detail).toMatch(/too large .*HTTP 431 Request Header Fields Too Large/);
    expect(result.detail).not.toMatch(/Upgrade header/);
    expect(result.fix).toMatch(/Cookie header/);
    const polling = pollingVerdict({
      open: { sid: "s", upgrades: [], pingInterval: 25000, pingTimeout: 20000 },
      pollingOff: false,
      planned: 20,
      answered: 2,
      failedRequest: "GET, reading the CONNECT reply",
      failure: { step: "http", kind: "status", status: 431, message: "GET /socket.io/?EIO=4&transport=polling&sid=s: HTTP 431" },
    });
    expect(polling.detail).toMatch(/too large for the server \(HTTP 431 Request Header Fields Too Large\)/);
    expect(polling.fix).toMatch(/Cookie header/);
  });

  it("--messages and --timeout take plain decimal numbers only; port 0 is refused", () => {
    for (const bad of ["0x10", " 5", "5 ", "1e3", "+5", ""]) expect(() => parseArgs(["check", "http://h", "--messages", bad])).toThrow(UsageError);
    expect(() => parseArgs(["check", "http://h", "--timeout", "0x1"])).toThrow(UsageError);
    expect(parseArgs(["check", "http://h", "--messages", "16", "--timeout", "0.5"])).toMatchObject({ options: { messages: 16, timeoutSeconds: 0.5 } });
    expect(() => parseArgs(["check", "http://127.0.0.1:0"])).toThrow(/port from 1 to 65535/);
  });

  it("an IPv6 address is printed in brackets", () => {
    const result = reachableVerdict({
      host: "::1",
      port: 3000,
      secure: false,
      enginePath: "/socket.io/",
      path: "/socket.io",
      address: "::1",
      reply: { status: 200, ms: 1, body: "", open: { sid: "s", upgrades: [], pingInterval: 25000, pingTimeout: 20000 } },
    });
    expect(result.detail).toMatch(/^\[::1\]:3000: /);
  });
});
