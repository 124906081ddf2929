// The hostile-input corpus: what an attacker sends to an echo server on the internet. Each case
// acts and returns; the test then checks the server is alive, its memory bounded, and that a
// well-behaved client still gets its echo promptly.
import type { Socket } from "node:net";
import { frame, OPCODE, RawWebSocket } from "../support/raw-websocket.js";
import { openSockets, polling, pollingSid, rawRequest, statusOf } from "../support/raw-http.js";

export interface CaseContext {
  port: number;
  /** Run after the case's checks: closes what the case left open. */
  cleanup: Array<() => void>;
}

export interface HostileCase {
  name: string;
  via: "websocket" | "tcp" | "polling";
  /** Throws if the server's answer shows something wrong (beyond staying alive). */
  run(context: CaseContext): Promise<void>;
}

const deep = (depth: number): string => `${"[".repeat(depth)}1${"]".repeat(depth)}`;
const repeat = (text: string, times: number): string => Array.from({ length: times }, () => text).join("");

/** A case on a socket.io-connected raw WebSocket, closed at cleanup. */
function webSocketCase(name: string, act: (ws: RawWebSocket) => Promise<void>): HostileCase {
  return {
    name,
    via: "websocket",
    async run({ port, cleanup }) {
      const ws = await RawWebSocket.connected(port);
      cleanup.push(() => ws.destroy());
      await act(ws);
    },
  };
}

/** Sends `texts` (or frames) and then lingers a moment, so the server digests it before the checks. */
const overWebSocket = (name: string, send: (ws: RawWebSocket) => void | Promise<void>): HostileCase =>
  webSocketCase(name, async (ws) => {
    await send(ws);
    await ws.until(() => false, 150);
  });

const texts = (name: string, ...packets: string[]): HostileCase => overWebSocket(name, (ws) => packets.forEach((p) => ws.sendText(p)));

/** Expects the server to close the WebSocket (protocol violations must not be tolerated). */
const closesWebSocket = (name: string, bytes: Buffer): HostileCase =>
  webSocketCase(name, async (ws) => {
    ws.write(bytes);
    if (!(await ws.until(() => ws.socket.destroyed || ws.socket.readableEnded, 3000))) {
      throw new Error("the server kept a connection that broke the WebSocket protocol");
    }
  });

function httpStatus(name: string, via: "tcp" | "polling", request: (port: number) => Promise<number>, expected: (status: number) => boolean): HostileCase {
  return {
    name,
    via,
    async run({ port }) {
      const status = await request(port);
      if (!expected(status)) throw new Error(`unexpected status ${status}`);
    },
  };
}

const clientError = (status: number): boolean => status >= 400 && status < 500;

/** POSTs `body` to a fresh polling session and checks the status. */
const postToSession = (name: string, body: string, expected: (status: number) => boolean): HostileCase =>
  httpStatus(name, "polling", async (port) => (await fetch(polling(port, await pollingSid(port)), { method: "POST", body })).status, expected);

export const hostileCorpus: HostileCase[] = [
  // engine.io packets that make no sense
  texts("engine.io: unknown packet type", "9hello"),
  texts("engine.io: empty frame", ""),
  texts("engine.io: an open packet from the client", '0{"sid":"forged"}'),
  texts("engine.io: an upgrade packet outside an upgrade", "5"),
  texts("engine.io: 2,000 noop packets", ...Array.from({ length: 2000 }, () => "6")),
  texts("engine.io: ping flood (5,000 pings)", ...Array.from({ length: 5000 }, () => "2")),
  texts("engine.io: pong flood (5,000 unasked pongs)", ...Array.from({ length: 5000 }, () => "3")),
  // socket.io packets that make no sense
  texts("socket.io: unknown packet type", "4zzz", "49[]"),
  texts("socket.io: truncated JSON", '42["ms","unterminated'),
  texts("socket.io: an object instead of an array", '42{"ms":"x"}'),
  texts("socket.io: empty and scalar payloads", "42[]", "42", '42"ms"', "42null"),
  texts("socket.io: non-string event names", "42[1,2]", "42[null]", '42[{"a":1}]', '42[["ms"]]', "42[true]"),
  texts(
    "socket.io: reserved event names",
    '42["connect"]', '42["connect_error"]', '42["disconnect","x"]', '42["disconnecting"]', '42["error","boom"]',
    '42["newListener","ms"]', '42["removeListener","ms"]', '42["echo-socket:ready"]', '42["echo-socket:error"]',
  ),
  texts("socket.io: Object.prototype names as events", '42["__proto__"]', '42["constructor"]', '42["toString"]', '42["hasOwnProperty","x"]'),
  texts(
    "prototype pollution keys in the payload",
    '42["ms",{"__proto__":{"polluted":true}}]',
    '42["ms",{"constructor":{"prototype":{"polluted":true}}}]',
    '42["ms",{"echoSocketId":"p1","__proto__":{"echoSocketId":"p2"}}]',
  ),
  texts("socket.io: acknowledgement abuse", "43[1]", '431["x"]', '4299999999999999999999["ms","x"]', '42-1["ms","x"]'),
  texts("socket.io: unknown and oversized namespaces", "40/nope,", '42/nope,["ms","x"]', `40/${"n".repeat(10_000)},`),
  texts("socket.io: 1,000 CONNECT packets on one connection", ...Array.from({ length: 1000 }, () => "40")),
  texts("socket.io: a disconnect then more events", "41", '42["ms","after"]'),
  // binary attachments: the socket.io-parser CVEs
  overWebSocket("CVE-2022-2421: placeholder pointing at a method name", (ws) => {
    ws.sendText('451-["ms",{"_placeholder":true,"num":"splice"}]');
    ws.write(frame(OPCODE.binary, Buffer.from("4bytes")));
  }),
  overWebSocket("CVE-2023-32695: placeholder index out of range, negative, fractional", (ws) => {
    for (const num of ["99", "-1", "1.5", '"__proto__"', '"toString"']) {
      ws.sendText(`451-["ms",{"_placeholder":true,"num":${num}}]`);
      ws.write(frame(OPCODE.binary, Buffer.from([1, 2, 3])));
    }
  }),
  texts("CVE-2020-36049 / CVE-2026-69185: a huge attachment count", '45999999999-["ms",{"_placeholder":true,"num":0}]'),
  overWebSocket("attachments announced, then thousands of binary frames", (ws) => {
    ws.sendText('451000-["ms",{"_placeholder":true,"num":0}]');
    for (let i = 0; i < 5000; i++) ws.write(frame(OPCODE.binary, Buffer.alloc(100)));
  }),
  overWebSocket("a binary frame with no binary event before it", (ws) => ws.write(frame(OPCODE.binary, Buffer.from("orphan")))),
  texts("a text packet while attachments are awaited", '452-["ms",{"_placeholder":true,"num":0}]', '42["ms","interrupts"]'),
  // payloads whose shape breaks recursive code
  texts("100,000-deep nested arrays (socket.io's encoder recurses on emit)", `42["ms",${deep(100_000)}]`),
  texts("100,000-deep nested objects", `42["ms",${repeat('{"a":', 100_000)}1${"}".repeat(100_000)}]`),
  texts("a deep payload with an ack", `421["ms",${deep(50_000)}]`),
  texts("an object with 50,000 keys", `42["ms",{${Array.from({ length: 50_000 }, (_, i) => `"k${i}":0`).join(",")}}]`),
  texts("a string of 100,000 escaped NULs", `42["ms","${"\\u0000".repeat(100_000)}"]`),
  texts("numbers beyond double range", '42["ms",1e999999,-1e999999,123456789012345678901234567890]'),
  // WebSocket protocol abuse
  closesWebSocket("an oversize frame (2 MB)", frame(OPCODE.text, `42["ms","${"o".repeat(2_000_000)}"]`)),
  closesWebSocket("a frame header claiming 2^53 bytes", frame(OPCODE.text, "x", { claimedLength: 2 ** 53 })),
  closesWebSocket("invalid UTF-8 in a text frame", frame(OPCODE.text, Buffer.from([0x34, 0x32, 0xff, 0xfe, 0xc0]))),
  closesWebSocket("an unmasked client frame", frame(OPCODE.text, '42["ms","unmasked"]', { mask: false })),
  closesWebSocket("a reserved opcode", frame(0x3, "reserved")),
  closesWebSocket("RSV bits with no extension negotiated", frame(OPCODE.text, '42["ms","x"]', { rsv: 0b100 })),
  closesWebSocket("a fragmented control frame", frame(OPCODE.ping, "ping", { fin: false })),
  closesWebSocket("a control frame over 125 bytes", frame(OPCODE.ping, Buffer.alloc(200))),
  closesWebSocket("a continuation frame with nothing to continue", frame(OPCODE.continuation, "orphan")),
  closesWebSocket("a close frame with an invalid code", frame(OPCODE.close, Buffer.from([0x03, 0xe7]))),
  overWebSocket("a text message in 10,000 fragments", (ws) => {
    ws.write(frame(OPCODE.text, "42", { fin: false }));
    for (let i = 0; i < 9998; i++) ws.write(frame(OPCODE.continuation, "", { fin: false }));
    ws.write(frame(OPCODE.continuation, '["ms","fragmented"]'));
  }),
  overWebSocket("a WebSocket ping flood (5,000 pings)", (ws) => {
    for (let i = 0; i < 5000; i++) ws.write(frame(OPCODE.ping, "p"));
  }),
  overWebSocket("a message flood: 20,000 events as fast as possible", (ws) => {
    ws.write(Buffer.concat(Array.from({ length: 20_000 }, () => frame(OPCODE.text, '42["ms","flood"]'))));
  }),
  // raw TCP and HTTP
  httpStatus("not HTTP at all", "tcp", async (port) => statusOf(await rawRequest(port, "\x16\x03\x01\x02\x00garbage\r\n\r\n")), clientError),
  httpStatus(
    "a header flood (3,000 headers)",
    "tcp",
    async (port) => statusOf(await rawRequest(port, `GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\n${repeat("X-Flood: 1\r\n", 3000)}\r\n`)),
    (status) => status === 431 || status === 400,
  ),
  httpStatus(
    "one 100 KB header",
    "tcp",
    async (port) => statusOf(await rawRequest(port, `GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\nX-Big: ${"b".repeat(100_000)}\r\n\r\n`)),
    (status) => status === 431 || status === 400,
  ),
  httpStatus(
    "a 100 KB query string",
    "tcp",
    async (port) => statusOf(await rawRequest(port, `GET /socket.io/?EIO=4&transport=polling&x=${"q".repeat(100_000)} HTTP/1.1\r\nHost: x\r\n\r\n`)),
    (status) => status === 431 || status === 400 || status === 414 || status === 200,
  ),
  httpStatus(
    "a WebSocket upgrade with a bad version",
    "tcp",
    async (port) =>
      statusOf(await rawRequest(port, "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==\r\nSec-WebSocket-Version: 99\r\n\r\n")),
    clientError,
  ),
  httpStatus(
    "a WebSocket upgrade for a forged session id",
    "tcp",
    async (port) =>
      statusOf(await rawRequest(port, "GET /socket.io/?EIO=4&transport=websocket&sid=forged HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==\r\nSec-WebSocket-Version: 13\r\n\r\n")),
    clientError,
  ),
  {
    name: "slowloris: 100 connections sending half a request and waiting",
    via: "tcp",
    async run({ port, cleanup }) {
      const sockets = await openSockets(port, 100, "GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\n");
      cleanup.push(() => sockets.forEach((socket: Socket) => socket.destroy()));
    },
  },
  {
    name: "connect-and-abandon storm: 500 TCP connections dropped at once",
    via: "tcp",
    async run({ port }) {
      (await openSockets(port, 500)).forEach((socket) => socket.destroy());
    },
  },
  {
    name: "half-open sessions: 50 WebSockets that never send CONNECT",
    via: "websocket",
    async run({ port, cleanup }) {
      const sockets = await Promise.all(Array.from({ length: 50 }, () => RawWebSocket.open(port)));
      cleanup.push(() => sockets.forEach((ws) => ws.destroy()));
    },
  },
  // HTTP long-polling abuse
  httpStatus("polling: an unsupported protocol version", "polling", async (port) => (await fetch(`http://127.0.0.1:${port}/socket.io/?EIO=99&transport=polling`)).status, clientError),
  httpStatus("polling: an unknown transport", "polling", async (port) => (await fetch(`http://127.0.0.1:${port}/socket.io/?EIO=4&transport=flash`)).status, clientError),
  httpStatus(
    "polling: a forged session id",
    "polling",
    async (port) => (await fetch(`http://127.0.0.1:${port}/socket.io/?EIO=4&transport=polling&sid=forged`, { method: "POST", body: "40" })).status,
    clientError,
  ),
  postToSession("polling: a garbage body", "\x00\xff garbage \x1e\x1e\x1e", (status) => status === 200 || clientError(status)),
  postToSession("polling: 20,000 empty packets in one body", "\x1e".repeat(20_000), (status) => status === 200 || clientError(status)),
  postToSession("polling: a 3 MB body", "4".repeat(3_000_000), (status) => status === 413),
  httpStatus(
    "polling: a body shorter than its Content-Length",
    "tcp",
    async (port) => {
      const sid = await pollingSid(port);
      return statusOf(await rawRequest(port, `POST /socket.io/?EIO=4&transport=polling&sid=${sid} HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n40`, 500));
    },
    () => true, // the server waits for the rest; what matters is that it lives on
  ),
  httpStatus(
    "polling: two GETs at once on one session",
    "polling",
    async (port) => {
      const sid = await pollingSid(port);
      const [a, b] = await Promise.all([fetch(polling(port, sid)), fetch(polling(port, sid))]);
      return Math.max(a.status, b.status);
    },
    (status) => status === 200 || clientError(status),
  ),
  httpStatus(
    "polling: 1,000 events batched into one POST",
    "polling",
    async (port) => {
      const sid = await pollingSid(port);
      await fetch(polling(port, sid), { method: "POST", body: "40" });
      return (await fetch(polling(port, sid), { method: "POST", body: Array.from({ length: 1000 }, () => '42["ms","batched"]').join("\x1e") })).status;
    },
    (status) => status === 200,
  ),
  httpStatus(
    "a connection flood: 300 handshakes from one address (over the per-address cap)",
    "polling",
    async (port) => {
      const statuses = await Promise.all(Array.from({ length: 300 }, () => fetch(`http://127.0.0.1:${port}/socket.io/?EIO=4&transport=polling`).then((r) => r.status)));
      return statuses.filter((status) => status === 403).length;
    },
    (refused) => refused > 0,
  ),
];
