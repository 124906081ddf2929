// Every option is checked once, at construction: the error names the option, what it takes and what it got.
import { describe, expect, it } from "vitest";
import { CLIENT_DEFAULTS, EchoClient, memoryStorage, type EchoClientOptions } from "../../client/index.js";

const url = "http://127.0.0.1:9"; // never connected to: autoConnect is off below
const make = (options: Record<string, unknown>) => new EchoClient({ url, autoConnect: false, ...options } as Partial<EchoClientOptions>);

describe("EchoClient options", () => {
  it("fills in the defaults, and changes nothing in the object passed", () => {
    const given = { url, autoConnect: false, socketOptions: { reconnectionDelay: 50 } };
    const copy = structuredClone(given);
    const client = new EchoClient(given);
    expect(given).toEqual(copy);
    expect(client.options).toMatchObject({
      url,
      path: "/socket.io",
      sendEvent: "ms",
      echoEvent: "echo",
      ackTimeoutMs: 10_000,
      retries: 3,
      maxQueued: 100,
      pacing: { ratePerSecond: 800, burst: 1000, window: 32 },
      socketOptions: { reconnectionDelay: 50 },
      autoConnect: false,
    });
    expect(client.options.socketOptions).not.toBe(given.socketOptions);
    expect(Object.isFrozen(client.options)).toBe(true);
    expect(CLIENT_DEFAULTS).toMatchObject({ path: "/socket.io", sendEvent: "ms", echoEvent: "echo", ackTimeoutMs: 10_000, retries: 3, maxQueued: 100 });
    expect(client.status).toBe("disconnected");
    client.close();
  });

  it("needs a url in Node, where there is no page origin", () => {
    expect(() => new EchoClient({ autoConnect: false })).toThrow(/^echo-socket: `url` must be the server's address.*\(got undefined\)$/);
    expect(() => new EchoClient()).toThrow(TypeError);
  });

  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ["a url that is not http(s) or ws(s)", { url: "ftp://example.com" }, /`url` must be an http\(s\) or ws\(s\) address \(got "ftp:\/\/example.com"\)/],
    ["a relative url", { url: "/echo" }, /`url` must be an http\(s\) or ws\(s\) address \(got "\/echo"\)/],
    ["an empty url", { url: "" }, /`url` must be the server's address/],
    ["a path without its slash", { path: "socket.io" }, /`path` must be a string starting with "\/".*\(got "socket.io"\)/],
    ["a path with a query", { path: "/socket.io?x" }, /`path` must be/],
    ["an empty send event", { sendEvent: "" }, /`sendEvent` must be a non-empty string \(got ""\)/],
    ["a reserved echo event", { echoEvent: "connect" }, /`echoEvent` must not be an event reserved by socket.io .*\(got "connect"\)/],
    ["echo-socket's own event", { echoEvent: "echo-socket:ready" }, /`echoEvent` must not be an event reserved/],
    ["an event the server reserves", { sendEvent: "connection" }, /`sendEvent` must not be an event reserved/],
    ["a fractional timeout", { ackTimeoutMs: 1.5 }, /`ackTimeoutMs` must be a whole number from 1 to 2147483647 \(got 1.5\)/],
    ["a timeout past what a timer holds", { ackTimeoutMs: 2 ** 31 }, /`ackTimeoutMs` must be a whole number from 1 to 2147483647/],
    ["negative retries", { retries: -1 }, /`retries` must be a whole number from 0 to 100 \(got -1\)/],
    ["retries as text", { retries: "3" }, /`retries` must be a whole number from 0 to 100 \(got "3"\)/],
    ["retries past 100 (a re-send loop)", { retries: 101 }, /`retries` must be a whole number from 0 to 100 \(got 101\)/],
    ["an empty queue", { maxQueued: 0 }, /`maxQueued` must be a whole number of 1 or more \(got 0\)/],
    ["a storage without open()", { storage: {} }, /`storage` must be an UnsentStorage .*\(got an object\)/],
    ["pacing that is not an object", { pacing: 5 }, /`pacing` must be an object/],
    ["an unknown pacing key", { pacing: { rate: 5 } }, /`pacing.rate` is not a pacing option/],
    ["a zero rate", { pacing: { ratePerSecond: 0 } }, /`pacing.ratePerSecond` must be a number above 0 \(got 0\)/],
    ["a zero window", { pacing: { window: 0 } }, /`pacing.window` must be a whole number of 1 or more/],
    ["a clock without timers", { clock: { now: () => 0 } }, /`clock` must be an object with now\(\), setTimeout\(\) and clearTimeout\(\)/],
    ["socket options as an array", { socketOptions: [] }, /`socketOptions` must be an object of socket.io-client options \(got an array\)/],
    ["a path among the socket options", { socketOptions: { path: "/x" } }, /`socketOptions.path` is set by the client: use `path`/],
    ["autoConnect among the socket options", { socketOptions: { autoConnect: false } }, /`socketOptions.autoConnect` is set by the client/],
    ["autoConnect as text", { autoConnect: "yes" }, /`autoConnect` must be true or false \(got "yes"\)/],
    ["an unknown option", { retry: 3 }, /`retry` is not an option; the options are `url`, `path`, .* \(got 3\)/],
  ];
  for (const [what, options, message] of cases) {
    it(`refuses ${what}`, () => {
      expect(() => make(options)).toThrow(TypeError);
      expect(() => make(options)).toThrow(message);
    });
  }

  it("refuses options that are not an object", () => {
    expect(() => new EchoClient("http://127.0.0.1" as never)).toThrow(/`options` must be an object \(got "http:\/\/127.0.0.1"\)/);
  });

  it("accepts partial pacing, a storage of the caller's, and ws(s) urls", () => {
    const storage = memoryStorage();
    const client = make({ url: "ws://127.0.0.1:9", pacing: { window: 4 }, storage, retries: 0 });
    expect(client.options.pacing).toEqual({ ratePerSecond: 800, burst: 1000, window: 4 });
    expect(client.options.storage).toBe(storage);
    client.close();
  });
});
