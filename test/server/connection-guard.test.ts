// The guard on each engine.io connection, against a real server and real clients (socket.io-client
// and a raw WebSocket for what a browser would never send).
import { afterEach, describe, expect, it } from "vitest";
import { frame, OPCODE, RawWebSocket } from "../support/raw-websocket.js";
import { polling, pollingSid } from "../support/raw-http.js";
import { recordingLogger, startServer, waitFor, type TestServer } from "./helpers.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const port = (s: TestServer): number => Number(new URL(s.url).port);
/** Waits for the server's close frame (a raw client never answers it, so the TCP side is ours to end). */
async function closedByServer(ws: RawWebSocket): Promise<boolean> {
  const closed = await ws.until(() => ws.closeReceived || ws.socket.destroyed, 10_000);
  ws.destroy();
  return closed;
}
/** A raw WebSocket past engine.io's open packet, before any socket.io CONNECT. */
async function engineOpen(s: TestServer): Promise<RawWebSocket> {
  const ws = await RawWebSocket.open(port(s));
  await ws.until(() => ws.texts.length > 0);
  return ws;
}
/** Sockets the server holds in the echo namespace and in the main one, connected or on their way. */
const socketCount = (s: TestServer): number => s.handle.io.of("/").sockets.size;

describe("the connection guard", () => {
  it("closes a WebSocket that sends 10,000 CONNECT packets in one write, before socket.io makes a socket for each", async () => {
    const logger = recordingLogger();
    server = await startServer({ logger });
    const ws = await engineOpen(server);
    ws.sendTexts(Array.from({ length: 10_000 }, () => "40"));
    ws.sendText('42["ms",1]');
    expect(await closedByServer(ws)).toBe(true);
    expect(socketCount(server)).toBeLessThanOrEqual(1);
    expect(server.handle.stats().errors).toBe(0);
    expect(logger.lines.some((line) => line.text.includes("a second CONNECT while one is in progress"))).toBe(true);
    // Another client is served as before.
    const client = server.connect({ transports: ["websocket"] });
    expect(await client.timeout(10_000).emitWithAck("ms", "after")).toEqual({ ok: true });
  });

  it("closes a polling session whose one POST carries 8,000 CONNECT packets", async () => {
    server = await startServer();
    const sid = await pollingSid(port(server));
    const closed = new Promise<void>((resolve) => {
      for (const conn of [(server!.handle.io.engine as unknown as { clients: Record<string, { once(e: string, f: () => void): void }> }).clients[sid]!])
        conn.once("close", resolve);
    });
    await fetch(polling(port(server), sid), { method: "POST", body: Array.from({ length: 8000 }, () => "40").join("\x1e") });
    await closed;
    expect(socketCount(server)).toBeLessThanOrEqual(1);
    expect((await fetch(polling(port(server), sid), { method: "POST", body: '42["ms",1]' })).status).toBe(400);
  });

  it("lets a client join two namespaces on one connection, and re-join one after leaving it", async () => {
    server = await startServer({ namespace: "/echo" });
    const main = server.connect({ transports: ["websocket"], forceNew: false } as never);
    await waitFor(main, "connect");
    const echo = server.connect({ transports: ["websocket"] }, "/echo");
    expect(await echo.timeout(10_000).emitWithAck("ms", "one")).toEqual({ ok: true });
    echo.disconnect();
    echo.connect();
    await waitFor(echo, "connect");
    expect(await echo.timeout(10_000).emitWithAck("ms", "two")).toEqual({ ok: true });
  });

  it("refuses a message whose text is over maxMessageBytes without decoding it, as its acknowledgement", async () => {
    server = await startServer();
    const client = server.connect({ transports: ["websocket"] });
    // 999 KB of `{},` measured 0 bytes before: every value now costs its JSON text.
    const empties = Array.from({ length: 333_000 }, () => ({}));
    const reply = await client.timeout(10_000).emitWithAck("ms", empties, { echoSocketId: "empties-1" });
    expect(reply).toMatchObject({ ok: false, error: { code: "message_too_large" } });
    // Just over the limit once the envelope is counted: refused after decoding, with its id.
    const justOver = Array.from({ length: 65_540 }, () => 0); // 131,111 bytes of JSON with its envelope
    expect(await client.timeout(10_000).emitWithAck("ms", justOver, { echoSocketId: "zeros-1" })).toMatchObject({
      ok: false,
      error: { code: "message_too_large", id: "zeros-1" },
    });
    expect(await client.timeout(10_000).emitWithAck("ms", "still echoed")).toEqual({ ok: true });
    expect(server.handle.stats()).toMatchObject({ echoes: 1, refused: 2 });
  });

  it("refuses an oversized message without an acknowledgement with an echo-socket:error event", async () => {
    server = await startServer({ maxMessageBytes: 1000 });
    const client = server.connect({ transports: ["websocket"] });
    await waitFor(client, "connect");
    const [[error]] = await Promise.all([waitFor<[{ code: string }]>(client, "echo-socket:error"), client.emit("ms", "x".repeat(5000))]);
    expect(error).toMatchObject({ code: "message_too_large" });
  });

  it("refuses an oversized message in its place in line, after the echo of the message before it", async () => {
    server = await startServer({ maxMessageBytes: 1000 });
    const client = server.connect({ transports: ["websocket"] });
    await waitFor(client, "connect");
    const order: string[] = [];
    client.on("echo", () => order.push("echo"));
    client.on("echo-socket:error", () => order.push("refusal"));
    const both = new Promise<void>((resolve) => client.on("echo-socket:error", () => resolve()));
    client.emit("ms", { slow: 1 }); // socket.io's path: dispatched two ticks later
    client.emit("ms", "x".repeat(5000)); // too large to read: refused without being parsed
    await both;
    expect(order).toEqual(["echo", "refusal"]);
  });

  it("drops binary attachments past the limit and refuses the message with its id, keeping the connection", async () => {
    server = await startServer({ maxMessageBytes: 10_000 });
    const received: unknown[][] = [];
    server.handle.io.on("connection", (socket) => socket.prependAny((_event, ...args) => void received.push(args)));
    const client = server.connect({ transports: ["websocket"] });
    const parts = [Buffer.alloc(6000, 1), Buffer.alloc(6000, 2), Buffer.alloc(6000, 3)];
    expect(await client.timeout(10_000).emitWithAck("ms", ...parts, { echoSocketId: "bin-1" })).toMatchObject({
      ok: false,
      error: { code: "message_too_large", id: "bin-1" },
    });
    expect(await client.timeout(10_000).emitWithAck("ms", Buffer.alloc(8000))).toEqual({ ok: true });
    // What reached the handler: the first attachment whole, the two past the bound as empty stand-ins.
    expect((received[0]!.slice(0, 3) as Buffer[]).map((part) => part.length)).toEqual([6000, 0, 0]);
  });

  it("closes a connection whose announced attachments do not all arrive within handshakeTimeoutMs", async () => {
    const logger = recordingLogger();
    server = await startServer({ handshakeTimeoutMs: 300, logger });
    const ws = await RawWebSocket.connected(port(server));
    ws.sendText('452-["ms",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]');
    ws.write(frame(OPCODE.binary, Buffer.concat([Buffer.from([4]), Buffer.alloc(5000)])));
    expect(await closedByServer(ws)).toBe(true);
    expect(logger.lines.some((line) => line.text.includes("binary attachments not sent within 300 ms"))).toBe(true);
  });

  it("keeps the fast path answering after another namespace's socket joined the same connection", async () => {
    server = await startServer({ namespace: "/echo" });
    const ws = await engineOpen(server);
    ws.sendText("40");
    ws.sendText("40/echo,");
    await ws.until(() => ws.count("40/echo,{") === 1);
    ws.sendText('42/echo,["ms","fast"]');
    ws.sendText('42/echo,["ms",{"slow":1}]');
    ws.sendText('42/echo,["ms","fast again"]');
    await ws.until(() => ws.count('42/echo,["echo"') === 3);
    const echoes = ws.texts.filter((text) => text.startsWith('42/echo,["echo"'));
    expect(echoes.map((text) => JSON.parse(text.slice("42/echo,".length))[1])).toEqual(["fast", { slow: 1 }, "fast again"]);
    // The fast path writes the literal as sent; socket.io's path would re-encode `\u0041` as "A".
    ws.sendText('42/echo,["ms","fast \\u0041"]');
    await ws.until(() => ws.count('42/echo,["echo"') === 4);
    expect(ws.texts.filter((text) => text.startsWith('42/echo,["echo"'))[3]).toContain('"fast \\u0041"');
    expect(server.handle.stats()).toMatchObject({ echoes: 4, errors: 0 });
    ws.destroy();
  });
});

describe("CONNECT packets", () => {
  it("closes a connection past its CONNECT allowance (32 at once), each answered at once", async () => {
    const logger = recordingLogger();
    server = await startServer({ logger });
    const ws = await engineOpen(server);
    ws.sendTexts(Array.from({ length: 32 }, (_, i) => `40/nope-${i},`)); // invalid namespaces: CONNECT_ERROR each
    expect(await ws.until(() => ws.count("44/nope-") === 32)).toBe(true); // all answered, the connection open
    ws.sendText("40/nope-32,");
    expect(await closedByServer(ws)).toBe(true);
    expect(logger.lines.some((line) => line.text.includes("too many CONNECT packets"))).toBe(true);
  });

  it.each([
    ["empty packets", "4"],
    ["packets of one space", "4 "],
  ])("counts %s as the CONNECTs socket.io reads them as", async (_name, frame) => {
    server = await startServer();
    const ws = await engineOpen(server);
    ws.sendTexts(Array.from({ length: 10_000 }, () => frame));
    expect(await closedByServer(ws)).toBe(true);
    expect(socketCount(server)).toBeLessThanOrEqual(1);
  });
});

describe("what a packet's head may cost", () => {
  it("answers a CONNECT over 16 KiB with a connect_error saying why, never reading it (socket.io keeps auth for the socket's life)", async () => {
    server = await startServer();
    const client = server.connect({ auth: { token: "t".repeat(20_000) }, transports: ["websocket"] });
    const [error] = await waitFor<[Error]>(client, "connect_error");
    expect(error.message).toMatch(/CONNECT packet is over 16384 bytes/);
    expect(socketCount(server)).toBe(0);
    // A token that leaves room for recovery's pid and offset connects.
    const fits = server.connect({ auth: { token: "t".repeat(8_000) }, transports: ["websocket"] });
    await waitFor(fits, "connect");
  });

  it("closes a connection that sends another control packet over 16 KiB", async () => {
    server = await startServer();
    const ws = await RawWebSocket.connected(port(server));
    ws.sendText(`41{"x":"${"x".repeat(20_000)}"}`);
    expect(await closedByServer(ws)).toBe(true);
  });

  it("counts the namespace name toward the size limit", async () => {
    server = await startServer({ maxMessageBytes: 1000 });
    const ws = await RawWebSocket.connected(port(server));
    ws.sendText(`42/${"n".repeat(5000)},["ms","x"]`); // a small message, a namespace name that is not
    expect(await closedByServer(ws)).toBe(true); // its stand-in names a namespace it never joined: socket.io closes
    expect(ws.texts.some((text) => text.includes("nnnn"))).toBe(false);
  });
});

describe("packets the guard cannot read", () => {
  it.each([
    ["a CONNECT with a 17-digit ack id", `40${"1".repeat(17)}`],
    ["a binary event announcing 17 digits of attachments", `45${"9".repeat(17)}-["ms",{"_placeholder":true,"num":0}]`],
    ["a long event with a 17-digit ack id", `42${"1".repeat(17)}["ms","${"x".repeat(50_000)}"]`],
  ])("closes the connection on %s (socket.io might parse it, past the guard's counting)", async (_name, packet) => {
    server = await startServer();
    const ws = await RawWebSocket.connected(port(server));
    ws.sendText(packet);
    expect(await closedByServer(ws)).toBe(true);
    expect(server.handle.stats().errors).toBe(0);
  });
});
