import { afterEach, describe, expect, it } from "vitest";
import { RawWebSocket } from "../support/raw-websocket.js";
import { polling, pollingSid } from "../support/raw-http.js";
import { until } from "../support/until.mjs";
import { admitted, startServer, waitFor, type TestServer } from "./helpers.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const port = (s: TestServer): number => Number(new URL(s.url).port);
/** The server's engine.io connection with session id `sid`, to wait for its "close". */
const engineConnection = (s: TestServer, sid: string) =>
  (s.handle.io.engine as unknown as { clients: Record<string, { once(event: "close", fn: () => void): void } | undefined> }).clients[sid];
/** Whether an engine.io polling session is still open: a noop POST answers 200, or 400 once it is gone. */
const alive = async (s: TestServer, sid: string): Promise<boolean> => (await fetch(polling(port(s), sid), { method: "POST", body: "6" })).status === 200;

describe("limits", () => {
  it("refuses a message over maxMessageBytes with a negative ack naming the limit, and still echoes the next", async () => {
    server = await startServer({ maxMessageBytes: 1000 });
    const client = server.connect();
    const reply = await client.timeout(10_000).emitWithAck("ms", "x".repeat(1001), { echoSocketId: "big-1" });
    expect(reply).toEqual({
      ok: false,
      error: {
        code: "message_too_large",
        message: "This message is larger than the server accepts (1000 bytes).",
        id: "big-1",
      },
    });
    // Multi-byte text counts as UTF-8: 334 three-byte characters are 1002 bytes.
    expect((await client.timeout(10_000).emitWithAck("ms", "가".repeat(334))).error.code).toBe("message_too_large");
    expect(await client.timeout(10_000).emitWithAck("ms", "x".repeat(900))).toEqual({ ok: true });
    expect(server.handle.stats()).toMatchObject({ echoes: 1, refused: 2 });
  });

  it("sends the refusal as an echo-socket:error event when no acknowledgement was asked for", async () => {
    server = await startServer({ maxMessageBytes: 100 });
    const client = server.connect();
    const [[error]] = await Promise.all([waitFor<[{ code: string }]>(client, "echo-socket:error"), client.emit("ms", Buffer.alloc(101))]);
    expect(error).toMatchObject({ code: "message_too_large" });
  });

  it("refuses payloads nested deeper than maxNestingDepth", async () => {
    server = await startServer({ maxNestingDepth: 4 });
    const client = server.connect();
    expect(await client.timeout(10_000).emitWithAck("ms", [[["three"]]])).toEqual({ ok: true });
    const reply = await client.timeout(10_000).emitWithAck("ms", { a: { b: { c: { d: { e: 1 } } } } });
    expect(reply.error).toMatchObject({ code: "payload_too_deep", message: expect.stringContaining("4 levels") });
  });

  it("charges a large message more of the rate limit: one token, plus one per 4 KiB", async () => {
    server = await startServer({ messagesPerSecond: 1, messageBurst: 12 });
    const client = server.connect({ transports: ["websocket"] });
    expect(await client.timeout(10_000).emitWithAck("ms", "x".repeat(40_000))).toEqual({ ok: true }); // 1 + 9 tokens: 2 left
    expect((await client.timeout(10_000).emitWithAck("ms", "x".repeat(12_000))).error.code).toBe("rate_limited"); // 1 + 2
    expect(await client.timeout(10_000).emitWithAck("ms", "small")).toEqual({ ok: true }); // 1
  });

  it("rate-limits each connection with a token bucket, telling when to retry, and leaves other clients alone", async () => {
    // 5 a second: refilling the 15 tokens that would admit all 20 takes 3 s, far longer than the 20 take.
    // How many the bucket admits, on a clock, is message-guard.test.ts's; here: it is per connection.
    server = await startServer({ messagesPerSecond: 5, messageBurst: 5 });
    const flooder = server.connect();
    const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => flooder.timeout(10_000).emitWithAck("ms", i)));
    const accepted = replies.filter((reply) => reply.ok).length;
    expect(accepted).toBeGreaterThanOrEqual(5); // the burst
    expect(accepted).toBeLessThan(20);
    const refused = replies.find((reply) => !reply.ok);
    expect(refused.error).toMatchObject({ code: "rate_limited", retryAfterMs: expect.any(Number) });
    expect(refused.error.retryAfterMs).toBeGreaterThan(0);
    expect(refused.error.retryAfterMs).toBeLessThanOrEqual(200); // one token at 5 a second

    const other = server.connect(); // its own bucket
    expect(await other.timeout(10_000).emitWithAck("ms", "mine")).toEqual({ ok: true });
    await new Promise((resolve) => setTimeout(resolve, refused.error.retryAfterMs + 20));
    expect(await flooder.timeout(10_000).emitWithAck("ms", "after waiting")).toEqual({ ok: true });
  });

  it("closes a connection that keeps exceeding limits, saying why", async () => {
    server = await startServer({ messagesPerSecond: 1, messageBurst: 1, maxViolations: 3 });
    const client = server.connect();
    const errors: Array<{ code: string }> = [];
    client.on("echo-socket:error", (error) => errors.push(error));
    const disconnected = waitFor<[string]>(client, "disconnect");
    for (let i = 0; i < 10; i++) client.emit("ms", i);
    expect((await disconnected)[0]).toBe("io server disconnect");
    expect(errors.at(-1)).toMatchObject({ code: "too_many_violations" });
    expect(errors.filter((error) => error.code === "rate_limited")).toHaveLength(4);
  });

  it("refuses echoes to a connection that does not read them, past maxBufferedBytes", async () => {
    server = await startServer({ maxBufferedBytes: 256 * 1024, maxViolations: 1000 });
    const reader = await RawWebSocket.connected(port(server));
    reader.socket.pause(); // stops reading: echoes pile up in the kernel, then in engine.io's queue
    const payload = "y".repeat(60_000);
    for (let i = 0; i < 200; i++) reader.sendText(`42["ms","${payload}"]`);
    await until(() => server!.handle.stats().refused > 0, { what: "a refusal" });
    const { echoes, refused } = server.handle.stats();
    expect(echoes + refused).toBeLessThanOrEqual(200);
    expect(echoes).toBeLessThan(200);
    reader.destroy();
  });

  it("lets a connection closed for violations go when its client does not read, not at the ping timeout", async () => {
    server = await startServer({ maxBufferedBytes: 256 * 1024, maxViolations: 3 });
    const closed = new Promise<string>((resolve) =>
      server!.handle.io.engine.on("connection", (conn: { on(event: "close", fn: (reason: string) => void): void }) => conn.on("close", resolve)),
    );
    const reader = await RawWebSocket.connected(port(server));
    reader.socket.pause(); // never reads: what the server sends stays in its buffers
    const payload = "y".repeat(60_000);
    for (let i = 0; i < 200; i++) reader.sendText(`42["ms","${payload}"]`);
    // Without letting go, engine.io would wait for the unread echoes to drain, until the ping timeout (45 s).
    expect(await closed).toBe("forced close");
    expect(server.handle.refusals().too_many_violations).toBe(1);
    expect(server.handle.refusals().slow_consumer).toBeGreaterThan(3);
    reader.destroy();
  });
});

describe("connection caps", () => {
  it("caps connections per client address, and admits again when one leaves", async () => {
    server = await startServer({ maxConnectionsPerAddress: 2 });
    const first = server.connect();
    const second = server.connect({ transports: ["websocket"] });
    await Promise.all([waitFor(first, "connect"), waitFor(second, "connect")]);
    for (const transports of [["polling"], ["websocket"]]) {
      expect(await admitted(server.connect({ transports }))).toBe(false);
    }
    // The slot frees when engine.io closes that connection, a moment after the socket.io disconnect.
    const conn = engineConnection(server, first.io.engine.id!)!;
    const connClosed = new Promise<void>((resolve) => conn.once("close", resolve));
    first.disconnect();
    await connClosed;
    expect(await admitted(server.connect())).toBe(true);
  });

  it("caps connections in total", async () => {
    server = await startServer({ maxConnections: 1 });
    expect(await admitted(server.connect())).toBe(true);
    expect(await admitted(server.connect())).toBe(false);
  });

  it("at the total cap, closes the oldest connection that never completed the handshake to admit a visitor", async () => {
    server = await startServer({ maxConnections: 3, handshakeTimeoutMs: 60_000 });
    const member = server.connect();
    await waitFor(member, "connect");
    const [oldest, newer] = [await pollingSid(port(server)), await pollingSid(port(server))]; // engine.io open, no CONNECT
    const visitor = server.connect();
    await waitFor(visitor, "connect");
    expect([await alive(server, oldest), await alive(server, newer)]).toEqual([false, true]);
    // Complete connections are never evicted: with no half-open one left to close, the cap refuses.
    expect(await admitted(server.connect())).toBe(true); // takes `newer`'s place
    expect(await admitted(server.connect())).toBe(false);
    expect(member.connected && visitor.connected).toBe(true);
  });

  it("at an address's cap, closes that address's oldest connection that never completed the handshake", async () => {
    server = await startServer({ maxConnectionsPerAddress: 2, handshakeTimeoutMs: 60_000 });
    const member = server.connect();
    await waitFor(member, "connect");
    const halfOpen = await pollingSid(port(server));
    const next = server.connect();
    await waitFor(next, "connect");
    expect(await alive(server, halfOpen)).toBe(false);
    expect(await admitted(server.connect())).toBe(false); // two complete connections: the cap holds
  });

  it("closes no one's half-open connection for a request it refuses", async () => {
    server = await startServer({ maxConnections: 3, maxConnectionsPerAddress: 1, trustProxy: true, handshakeTimeoutMs: 60_000 });
    expect(await admitted(server.connect({ extraHeaders: { "x-forwarded-for": "10.0.0.1" } }))).toBe(true);
    const handshake = await fetch(`${server.url}/socket.io/?EIO=4&transport=polling`, { headers: { "x-forwarded-for": "10.0.0.2" } });
    const othersHalfOpen = (JSON.parse((await handshake.text()).slice(1)) as { sid: string }).sid;
    expect(await admitted(server.connect({ extraHeaders: { "x-forwarded-for": "10.0.0.1" } }))).toBe(false); // over its address's cap
    expect(await alive(server, othersHalfOpen)).toBe(true);
  });

  it.each([
    ["an IPv4-mapped IPv6 address and its IPv4 address", "::ffff:10.0.0.1", "10.0.0.1", false],
    ["two addresses of one IPv6 /64", "2001:db8:1:2::1", "2001:db8:1:2:aaaa::2", false],
    ["addresses in two IPv6 /64s", "2001:db8:1:2::1", "2001:db8:1:3::1", true],
  ])("counts %s as %s", async (_name, first, second, bothAdmitted) => {
    server = await startServer({ maxConnectionsPerAddress: 1, trustProxy: true });
    expect(await admitted(server.connect({ extraHeaders: { "x-forwarded-for": first } }))).toBe(true);
    expect(await admitted(server.connect({ extraHeaders: { "x-forwarded-for": second } }))).toBe(bothAdmitted);
  });

  it("counts IPv6 addresses one by one with ipv6Subnet: 128", async () => {
    server = await startServer({ maxConnectionsPerAddress: 1, trustProxy: true, ipv6Subnet: 128 });
    expect(await admitted(server.connect({ extraHeaders: { "x-forwarded-for": "2001:db8::1" } }))).toBe(true);
    expect(await admitted(server.connect({ extraHeaders: { "x-forwarded-for": "2001:db8::2" } }))).toBe(true);
  });
});

describe("allowedOrigins", () => {
  it.each([["polling"], ["websocket"]])("admits listed origins and refuses others over %s", async (transport) => {
    server = await startServer({ allowedOrigins: ["https://good.example"] });
    const options = { transports: [transport], upgrade: false };
    expect(await admitted(server.connect({ ...options, extraHeaders: { origin: "https://good.example" } }))).toBe(true);
    expect(await admitted(server.connect({ ...options, extraHeaders: { origin: "https://evil.example" } }))).toBe(false);
    expect(await admitted(server.connect(options))).toBe(true); // no Origin header at all
  });

  it("accepts a function", async () => {
    server = await startServer({ allowedOrigins: (origin) => origin.endsWith(".good.example") });
    expect(await admitted(server.connect({ extraHeaders: { origin: "https://a.good.example" } }))).toBe(true);
    expect(await admitted(server.connect({ extraHeaders: { origin: "https://good.example.evil" } }))).toBe(false);
  });

  it("answers polling preflights with CORS headers for listed origins only", async () => {
    server = await startServer({ allowedOrigins: ["https://good.example"] });
    const ask = (origin: string) =>
      fetch(`${server!.url}/socket.io/?EIO=4&transport=polling`, { method: "OPTIONS", headers: { origin, "access-control-request-method": "POST" } });
    expect((await ask("https://good.example")).headers.get("access-control-allow-origin")).toBe("https://good.example");
    expect((await ask("https://evil.example")).headers.get("access-control-allow-origin")).toBe(null);
  });
});

describe("handshakeTimeoutMs", () => {
  it("frees the slot of a polling session that never sends CONNECT, without waiting for it to poll again", async () => {
    server = await startServer({ maxConnections: 1, handshakeTimeoutMs: 300 });
    const sid = await pollingSid(port(server));
    const conn = engineConnection(server, sid);
    // engine.io used to wait 30 s more for a GET that closes it (on a loaded machine it may be gone already).
    if (conn) await new Promise<void>((resolve) => conn.once("close", resolve));
    expect(await alive(server, sid)).toBe(false);
    expect(await admitted(server.connect())).toBe(true);
  });

  it("closes a connection that never completes the socket.io handshake", async () => {
    server = await startServer({ handshakeTimeoutMs: 300 });
    const started = Date.now();
    const halfOpen = await RawWebSocket.open(port(server)); // engine.io is open; socket.io CONNECT never comes
    // The deadline only stops a hang; that it closes at handshakeTimeoutMs, not later, is half-open.test.ts's, on a clock.
    expect(await halfOpen.until(() => halfOpen.closeReceived, 10_000)).toBe(true);
    halfOpen.destroy();
    expect(Date.now() - started).toBeGreaterThanOrEqual(250); // not before the timeout
  });
});
