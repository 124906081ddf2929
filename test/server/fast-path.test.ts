import { afterEach, describe, expect, it } from "vitest";
import { isJsonStringLiteral } from "../../server/messages/fast-path.js";
import { polling, pollingSid } from "../support/raw-http.js";
import { until } from "../support/until.mjs";
import { startServer, waitFor, type TestServer } from "./helpers.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("isJsonStringLiteral", () => {
  const check = (literal: string): boolean => isJsonStringLiteral(`2["ms",${literal}]`, 7, `2["ms",${literal}]`.length - 1);
  it.each([
    ['"plain"', true],
    ['""', true],
    ['"escapes \\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9"', true],
    ['"한국어 👋"', true],
    ['"two","strings"', false],
    ['"unterminated', false],
    ['"bad \\x escape"', false],
    ['"short \\u12 escape"', false],
    ['"raw \n newline"', false],
    ['"raw \u0000 nul"', false],
    ['"raw \u001f unit separator"', false],
    ['"DEL \u007f and U+FFFF \uffff are allowed raw"', true],
    ['"trailing backslash\\"', false],
    ["42", false],
    [`"${'\\"'.repeat(60_000)}"`, true], // 120,000 characters, all escapes: the check stays linear
    [`"${"y".repeat(200_000)}"`, true],
    ['{"a":1}', false],
  ])("%s -> %s", (literal, expected) => {
    expect(check(literal)).toBe(expected);
  });
});

describe("the fast path", () => {
  it("keeps echoes in order when plain messages follow ones socket.io handles", async () => {
    server = await startServer();
    const client = server.connect({ transports: ["websocket"] });
    await waitFor(client, "connect");
    const received: unknown[] = [];
    client.on("echo", (data) => received.push(data));
    for (let i = 0; i < 50; i++) {
      if (i % 3 === 0)
        client.emit("ms", i, { echoSocketId: `order-${i}` }, () => {}); // socket.io's path
      else client.emit("ms", `text ${i}`); // the fast path
    }
    await until(() => received.length >= 50, { what: "50 echoes" });
    expect(received).toEqual(Array.from({ length: 50 }, (_, i) => (i % 3 === 0 ? i : `text ${i}`)));
    expect(server.handle.stats().echoes).toBe(50);
  });

  it("still applies the rate limit, refusing through socket.io's path", async () => {
    // 1 a second: the 7 tokens that would admit all 10 take 7 s to refill, far longer than the 10 take.
    // How many a bucket admits, on a clock, is message-guard.test.ts's.
    server = await startServer({ messagesPerSecond: 1, messageBurst: 3 });
    const client = server.connect({ transports: ["websocket"] });
    await waitFor(client, "connect");
    const errors: Array<{ code: string }> = [];
    client.on("echo-socket:error", (error) => errors.push(error));
    let echoes = 0;
    client.on("echo", () => echoes++);
    for (let i = 0; i < 10; i++) client.emit("ms", "fast");
    await until(() => echoes + errors.length >= 10, { what: "10 answers" });
    expect(echoes).toBeGreaterThanOrEqual(3); // the burst
    expect(echoes).toBeLessThan(10);
    expect(errors.length).toBe(10 - echoes);
    expect(errors.every((error) => error.code === "rate_limited")).toBe(true);
  });

  it("steps aside when the application listens to the same event", async () => {
    server = await startServer();
    const heard: unknown[] = [];
    server.handle.io.on("connection", (socket) => socket.on("ms", (data: unknown) => heard.push(data)));
    const client = server.connect({ transports: ["websocket"] });
    const echoed = waitFor(client, "echo");
    client.emit("ms", "for both");
    expect((await echoed)[0]).toBe("for both");
    expect(heard).toEqual(["for both"]);
  });

  it("gives fast replies offsets, so connection state recovery replays them", async () => {
    server = await startServer();
    const client = server.connect({ transports: ["websocket"], reconnectionDelay: 50, reconnection: true });
    const echoed = waitFor(client, "echo");
    client.emit("ms", "fast one");
    const args = await echoed;
    expect(args).toEqual(["fast one", expect.stringMatching(/^[0-9a-f]{8}[0-9a-z]+$/)]);
  });

  it("can be turned off", async () => {
    server = await startServer({ fastPath: false });
    const heardByMiddleware: unknown[] = [];
    server.handle.io.on("connection", (socket) =>
      socket.use(([event, data], next) => {
        heardByMiddleware.push([event, data]);
        next();
      }),
    );
    const client = server.connect({ transports: ["websocket"] });
    const echoed = waitFor(client, "echo");
    client.emit("ms", "through socket.io");
    await echoed;
    expect(heardByMiddleware).toEqual([["ms", "through socket.io"]]);
  });
});

describe("the fast path over long-polling", () => {
  it("answers the echoes of one POST in one response, in order", async () => {
    server = await startServer();
    const port = Number(new URL(server.url).port);
    const sid = await pollingSid(port);
    const url = polling(port, sid);
    const post = (body: string) => fetch(url, { method: "POST", body }).then((response) => response.text());
    const get = () => fetch(url).then((response) => response.text());
    await post("40");
    let answered = "";
    while (!answered.includes('"echo-socket:ready"')) answered += await get(); // CONNECT's answer, then the ready event
    // A GET waits first, as a polling client's always does: engine.io answers it with what is written first.
    const waiting = get();
    const conn = (server.handle.io.engine as unknown as { clients: Record<string, { transport: { writable: boolean } }> }).clients[sid]!;
    await until(() => conn.transport.writable, { what: "the GET waiting on the server" });
    await post(['42["ms","one"]', '42["ms","two"]', '42["ms","three"]'].join("\x1e"));
    expect((await waiting).split("\x1e")).toEqual(
      ['42["echo","one",', '42["echo","two",', '42["echo","three",'].map((start) =>
        expect.stringMatching(new RegExp(`^${escapeRegExp(start)}"[0-9a-z]+"\\]$`)),
      ),
    );
    expect(server.handle.stats().echoes).toBe(3);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[[\]\\^$.|?*+(){}]/g, "\\$&");
}
