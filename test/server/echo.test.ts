import { afterEach, describe, expect, it } from "vitest";
import { startServer, waitFor, type TestServer } from "./helpers.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** One string with a code point from every 0x301 step of Unicode (surrogates skipped), plus the edges. */
const unicodeSweep = (() => {
  const points: number[] = [0x1, 0x7f, 0xfffd, 0x10ffff];
  for (let cp = 0x20; cp <= 0x10ffff; cp += 0x301) if (cp < 0xd800 || cp > 0xdfff) points.push(cp);
  return String.fromCodePoint(...points);
})();

const payloads: Array<[string, unknown[], unknown[]?]> = [
  ["ASCII string", ["hello"]],
  ["empty string", [""]],
  ["Korean", ["받은메시지: 안녕하세요"]],
  ["emoji, ZWJ sequences and flags", ["👋🏽 👩‍👩‍👧‍👦 🇰🇷 🏳️‍🌈"]],
  ["a sweep of all of Unicode", [unicodeSweep]],
  ["a lone surrogate", ["\ud800x\udc00"]],
  ["integer", [42]],
  ["negative float", [-1.5]],
  ["large numbers", [Number.MAX_SAFE_INTEGER, 1e308, 5e-324]],
  ["booleans", [true, false]],
  ["null", [null]],
  ["nested object", [{ a: 1, b: { c: ["x", { d: null }] }, 키: "값" }]],
  ["array", [[1, "two", [3], { four: 4 }]]],
  ["several arguments", ["a", 1, { b: 2 }, [3]]],
  ["no arguments", []],
  ["Buffer", [Buffer.from([0, 1, 2, 253, 254, 255])]],
  ["ArrayBuffer", [new Uint8Array([9, 8, 7]).buffer], [Buffer.from([9, 8, 7])]],
  ["Uint8Array", [new Uint8Array([1, 2, 3])], [Buffer.from([1, 2, 3])]],
  ["Float32Array", [new Float32Array([1.5, -2])], [Buffer.from(new Float32Array([1.5, -2]).buffer)]],
  ["binary inside an object, with text", [{ name: "file", data: Buffer.from("bytes") }, "caption"]],
];

describe("echo", () => {
  it.each(payloads)("round-trips %s exactly", async (_name, sent, expected = sent) => {
    server = await startServer({ recoveryWindowMs: 0 });
    const client = server.connect();
    await waitFor(client, "connect");
    const echoed = waitFor(client, "echo");
    client.emit("ms", ...sent);
    expect(await echoed).toEqual(expected);
  });

  it.each(payloads)("round-trips %s with recovery on, plus socket.io's offset as a last argument", async (_name, sent, expected = sent) => {
    server = await startServer();
    const client = server.connect();
    await waitFor(client, "connect");
    const echoed = waitFor(client, "echo");
    client.emit("ms", ...sent);
    const args = await echoed;
    expect(args.slice(0, -1)).toEqual(expected);
    expect(args.at(-1)).toMatch(/^[\w-]+$/);
  });

  it("acknowledges when the client asks, and still echoes", async () => {
    server = await startServer();
    const client = server.connect();
    const echoed = waitFor(client, "echo");
    const ack = await client.timeout(10_000).emitWithAck("ms", "with ack");
    expect(ack).toEqual({ ok: true });
    expect((await echoed)[0]).toEqual("with ack");
  });

  it("never sends one client's echo to another", async () => {
    server = await startServer();
    const alice = server.connect();
    const bob = server.connect();
    await Promise.all([waitFor(alice, "connect"), waitFor(bob, "connect")]);
    const seenByBob: unknown[] = [];
    bob.on("echo", (data) => seenByBob.push(data));
    const aliceEcho = waitFor(alice, "echo");
    alice.emit("ms", "from alice");
    expect((await aliceEcho)[0]).toEqual("from alice");
    // Bob's own round trip comes after Alice's echo would have reached him.
    const bobEcho = waitFor(bob, "echo");
    bob.emit("ms", "from bob");
    expect((await bobEcho)[0]).toEqual("from bob");
    expect(seenByBob).toEqual(["from bob"]);
  });

  it("keeps order across a burst of messages", async () => {
    server = await startServer();
    const client = server.connect();
    const received: number[] = [];
    const done = new Promise<void>((resolve) =>
      client.on("echo", (n: number) => {
        received.push(n);
        if (received.length === 200) resolve();
      }),
    );
    for (let i = 0; i < 200; i++) client.emit("ms", i);
    await done;
    expect(received).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(server.handle.stats()).toEqual({
      echoes: 200,
      connections: 1,
      totalConnections: 1,
      acked: 0,
      deduplicated: 0,
      recovered: 0,
      refused: 0,
      errors: 0,
    });
  });
});
