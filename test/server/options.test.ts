import { createServer } from "node:http";
import { describe, expect, it } from "vitest";
import { attachEchoSocket, echoSocketRouter, redisStore } from "../../server/index.js";

const invalidAttachOptions: Array<[string, unknown, RegExp]> = [
  ["options not an object", "ms", /`options` must be an object \(got "ms"\)/],
  ["options an array", [], /`options` must be an object \(got an array\)/],
  ["an unknown option", { pth: "/x" }, /`pth` is not an option; the options are `path`, `namespace`/],
  ["path not a string", { path: 42 }, /`path` must be a string starting with "\/".*\(got 42\)/],
  ["path without a slash", { path: "socket.io" }, /`path` must be a string starting with "\/"/],
  ["path just a slash", { path: "/" }, /`path` must be a string starting with "\/"/],
  ["path with a query", { path: "/socket.io?x=1" }, /`path` .*no spaces, "\?" or "#"/],
  ["namespace without a slash", { namespace: "chat" }, /`namespace` must be a string starting with "\/"/],
  ["namespace null", { namespace: null }, /`namespace` .*\(got null\)/],
  ["receiveEvent empty", { receiveEvent: "" }, /`receiveEvent` must be a non-empty string/],
  ["receiveEvent a number", { receiveEvent: 1 }, /`receiveEvent` must be a non-empty string \(got 1\)/],
  ["receiveEvent reserved: connect", { receiveEvent: "connect" }, /`receiveEvent` must not be an event reserved by socket.io/],
  ["receiveEvent reserved: disconnect", { receiveEvent: "disconnect" }, /`receiveEvent` must not be an event reserved/],
  ["replyEvent reserved: error", { replyEvent: "error" }, /`replyEvent` must not be an event reserved/],
  ["replyEvent reserved: disconnecting", { replyEvent: "disconnecting" }, /`replyEvent` must not be an event reserved/],
  ["replyEvent echo-socket's own", { replyEvent: "echo-socket:ready" }, /`replyEvent` must not be an event reserved/],
  ["receiveEvent echo-socket's error event", { receiveEvent: "echo-socket:error" }, /`receiveEvent` must not be an event reserved/],
  ["replyEvent reserved: newListener", { replyEvent: "newListener" }, /`replyEvent` must not be an event reserved/],
  ["logger a string", { logger: "console" }, /`logger` must be false or an object with info, warn and error/],
  ["logger missing error()", { logger: { info() {}, warn() {} } }, /`logger` must be false or an object/],
  ["logger true", { logger: true }, /`logger` must be false or an object/],
  ["logMessages a string", { logMessages: "yes" }, /`logMessages` must be true or false \(got "yes"\)/],
  ["trustProxy a string", { trustProxy: "loopback" }, /`trustProxy` must be true, false or a whole number/],
  ["trustProxy negative", { trustProxy: -1 }, /`trustProxy` must be true, false or a whole number/],
  ["trustProxy fractional", { trustProxy: 1.5 }, /`trustProxy` must be true, false or a whole number/],
  ["dedupWindowSize zero", { dedupWindowSize: 0 }, /`dedupWindowSize` must be a whole number of 1 or more \(got 0\)/],
  ["dedupWindowSize fractional", { dedupWindowSize: 2.5 }, /`dedupWindowSize` must be a whole number of 1 or more/],
  ["dedupWindowMs a string", { dedupWindowMs: "10m" }, /`dedupWindowMs` must be a whole number of 1 or more \(got "10m"\)/],
  ["recoveryBufferBytes zero", { recoveryBufferBytes: 0 }, /`recoveryBufferBytes` must be a whole number of 1 or more/],
  ["recoveryWindowMs negative", { recoveryWindowMs: -1 }, /`recoveryWindowMs` must be a whole number of 0 or more/],
  ["recoveryWindowMs Infinity", { recoveryWindowMs: Infinity }, /`recoveryWindowMs` must be a whole number of 0 or more/],
  ["maxMessageBytes zero", { maxMessageBytes: 0 }, /`maxMessageBytes` must be a whole number of 1 or more/],
  ["maxNestingDepth a string", { maxNestingDepth: "32" }, /`maxNestingDepth` must be a whole number of 1 or more/],
  ["messagesPerSecond negative", { messagesPerSecond: -5 }, /`messagesPerSecond` must be a whole number of 1 or more/],
  ["messageBurst fractional", { messageBurst: 1.5 }, /`messageBurst` must be a whole number of 1 or more/],
  ["maxConnections negative", { maxConnections: -1 }, /`maxConnections` must be a whole number of 0 or more/],
  ["maxConnectionsPerAddress NaN", { maxConnectionsPerAddress: NaN }, /`maxConnectionsPerAddress` must be a whole number of 0 or more/],
  ["handshakeTimeoutMs zero", { handshakeTimeoutMs: 0 }, /`handshakeTimeoutMs` must be a whole number from 1 to 2147482647/],
  [
    "handshakeTimeoutMs past what a timer holds",
    { handshakeTimeoutMs: 2 ** 31 },
    /`handshakeTimeoutMs` must be a whole number from 1 to 2147482647 \(got 2147483648\)/,
  ],
  ["ipv6Subnet zero", { ipv6Subnet: 0 }, /`ipv6Subnet` must be a whole number from 1 to 128 \(got 0\)/],
  ["ipv6Subnet over 128", { ipv6Subnet: 129 }, /`ipv6Subnet` must be a whole number from 1 to 128 \(got 129\)/],
  ["ipv6Subnet a string", { ipv6Subnet: "/64" }, /`ipv6Subnet` must be a whole number from 1 to 128/],
  ["maxBufferedBytes null", { maxBufferedBytes: null }, /`maxBufferedBytes` must be a whole number of 1 or more \(got null\)/],
  ["maxViolations a boolean", { maxViolations: true }, /`maxViolations` must be a whole number of 0 or more/],
  ["shutdownTimeoutMs negative", { shutdownTimeoutMs: -1 }, /`shutdownTimeoutMs` must be a whole number of 0 or more/],
  ["allowedOrigins a string", { allowedOrigins: "https://a.example" }, /`allowedOrigins` must be "\*", a function, or an array of origins/],
  ["allowedOrigins with a path", { allowedOrigins: ["https://a.example/app"] }, /`allowedOrigins` must be .*no path/],
  ["allowedOrigins not a URL", { allowedOrigins: ["a.example"] }, /`allowedOrigins` must be/],
  ["keepRequest a number", { keepRequest: 1 }, /`keepRequest` must be true or false/],
  ["fastPath a string", { fastPath: "on" }, /`fastPath` must be true or false/],
  ["adapter a string", { adapter: "redis" }, /`adapter` must be a socket.io adapter \(what an adapter package's createAdapter\(\) returns\)/],
  ["store an object", { store: {} }, /`store` must be memoryStore\(\) or redisStore\(\{ client \}\) \(got an object\)/],
  ["messagesPerSecondPerAddress negative", { messagesPerSecondPerAddress: -1 }, /`messagesPerSecondPerAddress` must be a whole number of 0 or more/],
  ["serverOptions an array", { serverOptions: [] }, /`serverOptions` must be an object/],
  ["serverOptions.path", { serverOptions: { path: "/x" } }, /`serverOptions.path` is not used; set the `path` option instead/],
];

describe("attachEchoSocket() validation", () => {
  it.each(invalidAttachOptions)("throws a TypeError for %s", (_name, options, message) => {
    const server = createServer();
    let thrown: unknown;
    try {
      attachEchoSocket(server, options as never);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(TypeError);
    expect((thrown as Error).message).toMatch(/^echo-socket: /);
    expect((thrown as Error).message).toMatch(message);
    // Nothing was attached: the HTTP server has no listeners from a failed call.
    expect(server.listenerCount("request") + server.listenerCount("upgrade")).toBe(0);
  });

  it.each([
    ["undefined", undefined],
    ["a string", "server"],
    ["a plain object", {}],
    ["an Express app", () => {}],
  ])("throws a TypeError when the target is %s", (_name, target) => {
    expect(() => attachEchoSocket(target as never)).toThrow(/echo-socket: `target` must be an http.Server, an https.Server or a socket.io Server/);
  });
});

describe("redisStore() validation", () => {
  const client = { isReady: false, sendCommand: async () => null, on() {}, off() {} };
  it.each([
    ["no options", undefined, /`client` must be a client from the `redis` package/],
    ["a client without sendCommand", { client: {} }, /`client` must be a client from the `redis` package \(node-redis v4 or later\)/],
    ["an empty keyPrefix", { client, keyPrefix: "" }, /`keyPrefix` must be a non-empty string/],
    ["commandTimeoutMs 0", { client, commandTimeoutMs: 0 }, /`commandTimeoutMs` must be a whole number of 1 or more/],
    ["an unknown option", { client, prefix: "x" }, /`prefix` is not an option; the options are `client`, `keyPrefix`, `commandTimeoutMs`/],
  ])("throws a TypeError for %s", (_name, options, message) => {
    expect(() => redisStore(options as never)).toThrow(TypeError);
    expect(() => redisStore(options as never)).toThrow(message);
  });
});

describe("echoSocketRouter() validation", () => {
  it.each([
    ["options a number", 3, /`options` must be an object/],
    ["an unknown option", { heath: true }, /`heath` is not an option; the options are `handle`, `health`, `element`, `allowedOrigins`/],
    ["element a number", { element: 1 }, /`element` must be true or false \(got 1\)/],
    ["health a string", { health: "on" }, /`health` must be true or false/],
    ["handle not a handle", { handle: {} }, /`handle` must be the handle attachEchoSocket\(\) returned/],
    ["allowedOrigins an object", { allowedOrigins: {} }, /`allowedOrigins` must be "\*", a function, or an array/],
  ])("throws a TypeError for %s", (_name, options, message) => {
    expect(() => echoSocketRouter(options as never)).toThrow(TypeError);
    expect(() => echoSocketRouter(options as never)).toThrow(message);
  });
});
