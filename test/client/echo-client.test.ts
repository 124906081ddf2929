// EchoClient against real servers over real socket.io-client connections: echo-socket's own
// (attachEchoSocket on an http.Server, port 0) and hand-written socket.io servers it must cope with.
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Server, type Socket } from "socket.io";
import { afterEach, describe, expect, it } from "vitest";
import {
  EchoClient,
  EchoClientError,
  fileStorage,
  memoryStorage,
  type EchoClientEventMap,
  type EchoClientOptions,
  type MessageState,
} from "../../client/index.js";
import { READY_EVENT, READY_PAYLOAD } from "../../protocol/index.js";
import { startServer } from "../server/helpers.js";

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** A client closed after the test, reconnecting quickly. */
function client(options: Partial<EchoClientOptions>): EchoClient {
  const made = new EchoClient({ socketOptions: { reconnectionDelay: 50, reconnectionDelayMax: 200 }, ...options });
  cleanup.push(() => made.close());
  return made;
}

/** The next `type` event of `source` that `accept` takes. */
function next<K extends keyof EchoClientEventMap>(source: EchoClient, type: K, accept: (event: EchoClientEventMap[K]) => boolean = () => true) {
  return new Promise<EchoClientEventMap[K]>((resolve) => {
    const off = source.on(type, (event) => {
      if (!accept(event)) return;
      off();
      resolve(event);
    });
  });
}

/** Echo-socket on a real http.Server on port 0, closed after the test. */
async function echoSocketServer(options = {}) {
  const server = await startServer(options);
  cleanup.push(() => server.close());
  return server;
}

/** A hand-written socket.io server on port 0: `onConnection` decides what it answers. */
async function plainServer(onConnection: (socket: Socket) => void): Promise<{ url: string; io: Server }> {
  const http: HttpServer = createServer();
  const io = new Server(http, { cors: { origin: "*" } });
  io.on("connection", onConnection);
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  cleanup.push(() => new Promise((resolve) => io.close(() => resolve(undefined))));
  return { url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`, io };
}

/** A port nothing listens on. */
async function deadUrl(): Promise<string> {
  const http = createServer();
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const { port } = http.address() as AddressInfo;
  await new Promise((resolve) => http.close(resolve));
  return `http://127.0.0.1:${port}`;
}

describe("EchoClient against echo-socket", () => {
  it("sends, gets the echo, and resolves the outcome, through every state once", async () => {
    const server = await echoSocketServer();
    const echo = client({ url: server.url });
    const ready = next(echo, "ready");
    const states: Array<[MessageState | undefined, MessageState]> = [];
    echo.on("entry", ({ previous, entry }) => states.push([previous, entry.state]));
    const echoed = next(echo, "echo");
    const { entry, outcome } = echo.send("hello", 2, { three: 3 });
    expect(entry.state).toBe("queued");
    expect(await outcome).toEqual({ state: "echoed", entry });
    const event = await echoed;
    expect(event).toMatchObject({ entry, data: "hello", args: ["hello", 2, { three: 3 }] });
    expect(event.rtt).toBeGreaterThanOrEqual(0);
    expect(entry).toMatchObject({ state: "echoed", echo: "hello", mismatch: false, attempts: 1 });
    expect(states).toEqual([
      [undefined, "queued"],
      ["queued", "sent"],
      ["sent", "echoed"],
    ]);
    await ready;
    expect(echo.rtt).toMatchObject({ count: 1 });
    expect(echo.rtt.min).toBe(echo.rtt.max);
    expect(echo.status).toBe("connected");
    expect(echo.transport).toBe("websocket");
    expect(echo.unsent()).toEqual([]);
    expect(server.handle.stats()).toMatchObject({ echoes: 1, acked: 1 });
  });

  it("fails a message the server refuses for good, with its reason, and a refusal event", async () => {
    const server = await echoSocketServer({ maxMessageBytes: 100 });
    const echo = client({ url: server.url });
    const refused = next(echo, "refusal");
    const { entry, outcome } = echo.send("x".repeat(200));
    const result = await outcome;
    expect(result).toMatchObject({ state: "failed", entry });
    expect(result.state === "failed" && result.reason).toMatch(/large/i);
    expect(await refused).toMatchObject({ entry, transient: false, error: { code: "message_too_large" } });
    expect(await echo.send("short").outcome).toMatchObject({ state: "echoed" });
  });

  it("holds messages back after rate_limited, then delivers every one once", async () => {
    const server = await echoSocketServer({ messagesPerSecond: 20, messageBurst: 5 });
    const echo = client({ url: server.url });
    const transient = next(echo, "refusal", (event) => event.transient);
    const notices: Array<string | undefined> = [];
    echo.on("notice", ({ message }) => notices.push(message));
    const outcomes = Array.from({ length: 12 }, (_, i) => echo.send(`burst ${i}`).outcome);
    expect(await transient).toMatchObject({ error: { code: "rate_limited" } });
    const results = await Promise.all(outcomes);
    expect(results.map((result) => result.state)).toEqual(results.map(() => "echoed"));
    expect(notices.some((notice) => notice !== undefined)).toBe(true);
    expect(server.handle.stats().echoes).toBe(12);
  });

  it("sends what an earlier client left in memory storage, before its own messages", async () => {
    const storage = memoryStorage();
    const offline = client({ url: await deadUrl(), storage });
    offline.send("left 1");
    offline.send("left 2");
    const failed = offline.send("left 3").outcome;
    offline.close();
    expect(await failed).toMatchObject({ state: "failed", reason: expect.stringMatching(/closed/) });

    const server = await echoSocketServer();
    const later = client({ url: server.url, storage, autoConnect: false });
    const echoedInOrder: unknown[] = [];
    later.on("entry", ({ entry }) => entry.state === "echoed" && echoedInOrder.push(entry.data));
    later.connect();
    const mine = later.send("mine").outcome;
    expect(await mine).toMatchObject({ state: "echoed" });
    expect(echoedInOrder).toEqual(["left 1", "left 2", "left 3", "mine"]);
  });

  it("sends what an instance left in file storage from a new instance (a restarted process)", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "echo-client-"));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, "unsent");
    const offline = client({ url: await deadUrl(), storage: fileStorage(file) });
    for (const text of ["a", "b"]) offline.send(text);
    offline.close();

    const server = await echoSocketServer();
    const restarted = client({ url: server.url, storage: fileStorage(file) });
    const echoes = new Map<unknown, number>();
    restarted.on("echo", ({ data }) => echoes.set(data, (echoes.get(data) ?? 0) + 1));
    await next(restarted, "entry", ({ entry }) => entry.data === "b" && entry.state === "echoed");
    expect([...echoes]).toEqual([
      ["a", 1],
      ["b", 1],
    ]);
    expect(server.handle.stats().echoes).toBe(2);
  });
});

describe("EchoClient offline", () => {
  it("reports connecting, then reconnecting with socket.io's error, and queues up to maxQueued", async () => {
    const echo = client({ url: await deadUrl(), maxQueued: 2, autoConnect: false });
    const statuses: Array<EchoClientEventMap["status"]> = [];
    echo.on("status", (event) => statuses.push(event));
    const failing = next(echo, "status", (event) => event.error !== undefined);
    echo.connect();
    expect(statuses[0]).toEqual({ status: "connecting", transport: undefined });
    const { status, error } = await failing;
    expect(status).toBe("reconnecting");
    expect(error!.message).toEqual(expect.any(String));
    echo.send(1);
    echo.send(2);
    expect(echo.queuedCount).toBe(2);
    let thrown: unknown;
    try {
      echo.send(3);
    } catch (caught) {
      thrown = caught;
    }
    expect(thrown).toBeInstanceOf(EchoClientError);
    expect(thrown).toMatchObject({ code: "queue_full" });
    expect(echo.unsent().map((entry) => entry.data)).toEqual([1, 2]);
  });

  it("closes once, reporting disconnected, and refuses to send afterwards", async () => {
    const echo = client({ url: await deadUrl() });
    const disconnected = next(echo, "status", (event) => event.status === "disconnected");
    echo.close();
    await disconnected;
    echo.close();
    expect(echo.closed).toBe(true);
    expect(() => echo.send("late")).toThrow(expect.objectContaining({ code: "closed" }));
  });
});

describe("EchoClient against plain socket.io servers", () => {
  it("matches echoes in order against the tutorial's server, and fails rather than re-sends a message never echoed", async () => {
    let answer = true;
    const { url } = await plainServer((socket) => socket.on("ms", (data: unknown) => answer && socket.emit("echo", data)));
    const echo = client({ url, ackTimeoutMs: 200 });
    const first = echo.send("one");
    const second = echo.send("two");
    expect(await first.outcome).toEqual({ state: "echoed", entry: first.entry });
    expect(await second.outcome).toEqual({ state: "echoed", entry: second.entry });
    answer = false;
    const silent = echo.send("unanswered");
    const result = await silent.outcome;
    expect(result).toMatchObject({ state: "failed", reason: expect.stringMatching(/^No echo within 200 ms/) });
    expect(silent.entry.attempts).toBe(1); // not re-sent: it could be taken for another message's echo
  });

  it("re-sends after an acknowledgement timeout to a server that echoes ids, and fails once retries run out", async () => {
    const seen = new Set<unknown>();
    const { url } = await plainServer((socket) => {
      socket.emit(READY_EVENT, READY_PAYLOAD); // it echoes ids: re-sending is safe
      socket.on("ms", (...args: unknown[]) => {
        const ack = args.pop() as (reply: unknown) => void;
        const id = (args[1] as { echoSocketId?: string } | undefined)?.echoSocketId;
        if (args[0] === "never") return;
        if (!seen.has(id)) return void seen.add(id); // loses each message's first transmission
        socket.emit("echo", ...args);
        ack({ ok: true, id });
      });
    });
    const echo = client({ url, ackTimeoutMs: 100, retries: 1 });
    await next(echo, "ready");
    const lost = echo.send("lost once");
    expect(await lost.outcome).toMatchObject({ state: "echoed" });
    expect(lost.entry.attempts).toBe(2);
    const never = echo.send("never");
    expect(await never.outcome).toMatchObject({ state: "failed" });
    expect(never.entry.attempts).toBe(2);
    const retried = echo.retry(never.entry);
    expect(never.entry.state).toBe("sent");
    expect(await retried).toMatchObject({ state: "failed" });
  });

  it("ignores a second echo of a message, and reports an echo of nothing sent here as received", async () => {
    const { url } = await plainServer((socket) =>
      socket.on("ms", (...args: unknown[]) => {
        const ack = args.pop() as (reply: unknown) => void;
        socket.emit("echo", ...args);
        socket.emit("echo", ...args);
        socket.emit("echo", "unrelated");
        ack({ ok: true });
      }),
    );
    const echo = client({ url });
    const events: Array<EchoClientEventMap["echo"]> = [];
    echo.on("echo", (event) => events.push(event));
    const received = next(echo, "echo", (event) => event.data === "unrelated");
    const { entry } = echo.send({ once: true }, "extra");
    const stray = await received;
    expect(stray.entry).toMatchObject({ state: "received", data: "unrelated" });
    expect(stray.rtt).toBeUndefined();
    expect(events.map((event) => event.data)).toEqual([{ once: true }, "unrelated"]);
    expect(events[0]!.entry).toBe(entry);
    expect(events[0]!.args).toEqual([{ once: true }, "extra"]);
  });

  it("marks an echo that differs from what was sent", async () => {
    const { url } = await plainServer((socket) =>
      socket.on("ms", (data: string, ...rest: unknown[]) => socket.emit("echo", data.slice(0, 3), ...rest.slice(0, -1))),
    );
    const echo = client({ url });
    const { entry, outcome } = echo.send("abcdef");
    expect(await outcome).toMatchObject({ state: "echoed" });
    expect(entry).toMatchObject({ echo: "abc", mismatch: true });
  });
});
