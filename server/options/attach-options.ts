import type { ServerOptions } from "socket.io";
import { DEFAULT_ECHO_EVENT, DEFAULT_PATH, DEFAULT_SEND_EVENT } from "../../protocol/index.js";
import { optionError } from "../../protocol/option-error.js";
import { checkLogger, consoleLogger, type Logger } from "../logging/logger.js";
import { checkTrustProxy, type TrustProxy } from "../admission/client-address.js";
import { checkAllowedOrigins, originMatcher, type AllowedOrigins } from "../admission/origins.js";
import { boundedRecoveryAdapter } from "../recovery/recovery-adapter.js";
import { memoryStore, type EchoStore, type EchoStoreFactory } from "../state/store.js";
import { failFastRecovery } from "../recovery/adapter-guard.js";
import { checkBoolean, checkEventName, checkFunction, checkKnownKeys, checkNamespace, checkOptionsObject, checkPath, checkWholeNumber } from "./validate.js";

/** Options of `attachEchoSocket()`. Every field is optional; the defaults match the socket.io tutorial. */
export interface AttachOptions {
  /**
   * URL path socket.io listens on. Clients must use the same `path`.
   * Only for a server that echo-socket creates; an existing socket.io `Server` keeps its own.
   * @default "/socket.io"
   */
  path: string;
  /**
   * socket.io namespace the echo handler joins.
   * @default "/"
   */
  namespace: string;
  /**
   * Event the client emits with its message.
   * @default "ms"
   */
  receiveEvent: string;
  /**
   * Event the server answers with, carrying exactly what was received.
   * @default "echo"
   */
  replyEvent: string;
  /**
   * Where connect, disconnect and error lines go: any `console`-shaped object, or `false` for silence.
   * @default console, with an "[echo-socket]" prefix
   */
  logger: Logger | false;
  /**
   * Log every message received (at debug level). Off by default: it costs time on every message.
   * @default false
   */
  logMessages: boolean;
  /**
   * Trust `X-Forwarded-For` for the client address in logs: `false`, `true` or the number of proxy hops.
   * @default false
   */
  trustProxy: TrustProxy;
  /**
   * Prefix length under which IPv6 clients share the per-address limits (`maxConnectionsPerAddress`,
   * `messagesPerSecondPerAddress`): one home or server usually holds a whole /64. `128` counts each
   * address alone. IPv4-mapped IPv6 addresses (`::ffff:1.2.3.4`) always count as their IPv4 address.
   * @default 64
   */
  ipv6Subnet: number;
  /**
   * How many message ids the server remembers to recognise a re-sent message (memory stays bounded by it).
   * @default 10000
   */
  dedupWindowSize: number;
  /**
   * How long, in milliseconds, a message id is remembered.
   * @default 600000 (10 minutes)
   */
  dedupWindowMs: number;
  /**
   * How long, in milliseconds, socket.io's connection state recovery keeps a dropped client's session and
   * the echoes it missed, replayed when it reconnects in time; `0` turns recovery off. With recovery on,
   * socket.io appends its packet offset (a string) as a last argument to what clients receive.
   * Ignored for an existing socket.io `Server`, and when `serverOptions.connectionStateRecovery` is given.
   * @default 30000
   */
  recoveryWindowMs: number;
  /**
   * Most bytes of echoes kept for connection state recovery, across all clients; the oldest go first.
   * socket.io's own recovery keeps everything for the whole window, unbounded; echo-socket bounds it.
   * @default 33554432 (32 MiB)
   */
  recoveryBufferBytes: number;
  /**
   * Largest message accepted, in bytes of its JSON text as UTF-8 (binary byte for byte). A larger one is
   * refused with `message_too_large`, unparsed; a frame over 4× this (at least 1 MB) is cut off by engine.io with the connection.
   * @default 131072 (128 KiB)
   */
  maxMessageBytes: number;
  /**
   * Deepest nesting of arrays and objects accepted in a message (refused with `payload_too_deep`).
   * @default 32
   */
  maxNestingDepth: number;
  /**
   * Messages a second each connection may send on average (token bucket), refused with `rate_limited` past it.
   * A message costs one token plus one per 4 KiB of its text.
   * @default 1000
   */
  messagesPerSecond: number;
  /**
   * Tokens a connection may spend at once before the rate applies (the bucket's size; a small message costs one).
   * @default 2000
   */
  messageBurst: number;
  /**
   * Most connections at once, in total; `0` for no limit. Only for a server echo-socket creates.
   * @default 20000
   */
  maxConnections: number;
  /**
   * Most connections at once from one client address (see `trustProxy`); `0` for no limit.
   * Only for a server echo-socket creates.
   * @default 256
   */
  maxConnectionsPerAddress: number;
  /**
   * Milliseconds a new connection has to complete the socket.io handshake (socket.io's `connectTimeout` is a second more);
   * past it the connection is closed and its slot freed at once. Also the most time a message's binary
   * attachments may take to arrive after it.
   * @default 10000
   */
  handshakeTimeoutMs: number;
  /**
   * Most bytes of echoes waiting for a connection that is not reading them; past it, messages are
   * refused with `slow_consumer` instead of echoed.
   * @default 1048576 (1 MiB)
   */
  maxBufferedBytes: number;
  /**
   * Refusals a connection may collect within 10 seconds before it is told `too_many_violations` and closed.
   * @default 50
   */
  maxViolations: number;
  /**
   * Page origins allowed to connect, checked on the handshake of both polling and WebSocket:
   * `"*"`, a list such as `["https://example.com"]`, or a function. Requests with no `Origin`
   * header (not from a browser) are allowed. Only for a server echo-socket creates.
   * @default "*"
   */
  allowedOrigins: AllowedOrigins;
  /**
   * Milliseconds `close()` waits for echoes on their way out before closing connections.
   * @default 10000
   */
  shutdownTimeoutMs: number;
  /**
   * Answer plain one-string messages (`42["ms","text"]`) straight from engine.io's text, skipping
   * socket.io's decode and re-encode. Messages with acknowledgements, several arguments, binary, or
   * that a limit refuses take socket.io's path. Turn it off if you add `socket.use()` middlewares to
   * the echo sockets: the fast path does not run them.
   * @default true
   */
  fastPath: boolean;
  /**
   * Keep each connection's first HTTP request (`socket.request`) and its headers
   * (`socket.handshake.headers`) after the handshake. socket.io keeps them by default, costing memory
   * per connection; echo-socket lets them go once the connection is set up (socket.io's own memory
   * guidance): the headers after every `connection` handler has run, so middlewares and handlers
   * read them as usual. Turn it on if your code reads `socket.request` or the headers later
   * (express-session, for example). Only for a server echo-socket creates.
   * @default false
   */
  keepRequest: boolean;
  /**
   * A socket.io adapter, for several nodes: `createAdapter(redisClient)` from
   * `@socket.io/redis-streams-adapter` (keeps connection state recovery working across nodes), or
   * `createAdapter()` from `@socket.io/cluster-adapter` (workers of one host; no recovery, so set
   * `recoveryWindowMs: 0` with it). Only for a server echo-socket creates.
   * @default echo-socket's bounded in-memory recovery adapter (socket.io's in-memory one when recovery is off)
   */
  adapter: ServerOptions["adapter"] | undefined;
  /**
   * Where state that must hold across reconnects and nodes lives (de-duplication window, per-address
   * limits, counter totals): `memoryStore()`, or `redisStore({ client })` to share it between nodes.
   * @default memoryStore()
   */
  store: EchoStoreFactory;
  /**
   * Messages a second one client address may send over all its connections, counted on every node
   * sharing the `store`; past it messages are refused with `rate_limited`. `0`: no such limit (many
   * users can share one address behind a NAT; `messagesPerSecond` still limits each connection).
   * @default 0
   */
  messagesPerSecondPerAddress: number;
  /**
   * Other socket.io `Server` options (`cors`, `transports`, `pingInterval`, `maxHttpBufferSize`, ...),
   * passed through when echo-socket creates the server. Use `path` above rather than `serverOptions.path`.
   * echo-socket sets `cors: { origin: "*" }` unless you pass `cors`: the element is meant to be embedded in
   * pages on any origin, and socket.io's WebSocket transport admits every origin anyway.
   * @default { cors: { origin: "*" } }
   */
  serverOptions: Partial<ServerOptions>;
}

/** socket.io's `connectTimeout` runs this much after `handshakeTimeoutMs`, so echo-socket's discard comes first. */
const CONNECT_TIMEOUT_MARGIN_MS = 1000;
/** The longest `setTimeout` Node keeps: past it the timer fires at once (and every connection would close). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Options after defaults and validation. */
export interface ResolvedAttachOptions extends Omit<AttachOptions, "logger"> {
  logger: Logger;
}

export const ATTACH_DEFAULTS: Readonly<Omit<AttachOptions, "serverOptions">> = Object.freeze({
  path: DEFAULT_PATH,
  namespace: "/",
  receiveEvent: DEFAULT_SEND_EVENT,
  replyEvent: DEFAULT_ECHO_EVENT,
  logger: consoleLogger,
  logMessages: false,
  trustProxy: false,
  ipv6Subnet: 64,
  dedupWindowSize: 10_000,
  dedupWindowMs: 600_000,
  recoveryWindowMs: 30_000,
  recoveryBufferBytes: 33_554_432,
  maxMessageBytes: 131_072,
  maxNestingDepth: 32,
  messagesPerSecond: 1000,
  messageBurst: 2000,
  maxConnections: 20_000,
  maxConnectionsPerAddress: 256,
  handshakeTimeoutMs: 10_000,
  maxBufferedBytes: 1_048_576,
  maxViolations: 50,
  allowedOrigins: "*",
  shutdownTimeoutMs: 10_000,
  fastPath: true,
  keepRequest: false,
  adapter: undefined,
  store: memoryStore(),
  messagesPerSecondPerAddress: 0,
});

/**
 * The socket.io options echo-socket creates a server with: its defaults, then the user's
 * `serverOptions`, then what it must own (`path`, and `allowRequest`, which runs the user's after its own).
 */
export function socketIoServerOptions(
  options: ResolvedAttachOptions,
  allowRequest: NonNullable<ServerOptions["allowRequest"]>,
  store: EchoStore,
): Partial<ServerOptions> {
  const limits = { windowMs: options.recoveryWindowMs, maxBytes: options.recoveryBufferBytes, maxReplayBytes: options.maxBufferedBytes };
  const adapter = options.adapter && failFastRecovery(options.adapter, () => store.reachable);
  const recovery =
    options.recoveryWindowMs > 0
      ? {
          connectionStateRecovery: { maxDisconnectionDuration: options.recoveryWindowMs, skipMiddlewares: true },
          adapter: adapter ?? boundedRecoveryAdapter(limits),
        }
      : adapter
        ? { adapter }
        : {};
  const allowed = originMatcher(options.allowedOrigins);
  const cors =
    options.allowedOrigins === "*"
      ? { origin: "*" }
      : { origin: (origin: string | undefined, callback: (error: Error | null, allow?: boolean) => void) => callback(null, allowed(origin)) };
  const userAllowRequest = options.serverOptions.allowRequest;
  return {
    cors,
    ...recovery,
    // A backstop only: socket.io's own close waits up to 30 s for a polling client to come back for
    // its close packet, and once begun it stops the admission check's discard (which frees the slot at once).
    connectTimeout: options.handshakeTimeoutMs + CONNECT_TIMEOUT_MARGIN_MS,
    maxHttpBufferSize: Math.max(1_000_000, 4 * options.maxMessageBytes),
    ...options.serverOptions,
    path: options.path,
    allowRequest: userAllowRequest
      ? (req, callback) => allowRequest(req, (error, ok) => (ok ? userAllowRequest(req, callback) : callback(error, false)))
      : allowRequest,
  };
}

const KNOWN_KEYS = [...Object.keys(ATTACH_DEFAULTS), "serverOptions"];

/** Applies defaults and validates; throws a TypeError naming the first bad option. Never mutates `input`. */
export function resolveAttachOptions(input: unknown): ResolvedAttachOptions {
  const given = checkOptionsObject("options", input);
  checkKnownKeys(given, KNOWN_KEYS);
  const pick = <K extends keyof AttachOptions>(key: K): unknown => (given[key] === undefined ? (ATTACH_DEFAULTS as Partial<AttachOptions>)[key] : given[key]);
  const whole = (key: keyof AttachOptions, min: number): number => checkWholeNumber(key, pick(key), min);
  const flag = (key: keyof AttachOptions): boolean => checkBoolean(key, pick(key));

  const serverOptions = { ...checkOptionsObject("serverOptions", given.serverOptions) } as Partial<ServerOptions>;
  if (serverOptions.path !== undefined) {
    throw optionError("serverOptions.path", "is not used; set the `path` option instead", serverOptions.path);
  }
  return {
    path: checkPath("path", pick("path")),
    namespace: checkNamespace("namespace", pick("namespace")),
    receiveEvent: checkEventName("receiveEvent", pick("receiveEvent")),
    replyEvent: checkEventName("replyEvent", pick("replyEvent")),
    logger: checkLogger("logger", pick("logger")),
    logMessages: flag("logMessages"),
    trustProxy: checkTrustProxy("trustProxy", pick("trustProxy")),
    ipv6Subnet: checkWholeNumber("ipv6Subnet", pick("ipv6Subnet"), 1, 128),
    dedupWindowSize: whole("dedupWindowSize", 1),
    dedupWindowMs: whole("dedupWindowMs", 1),
    recoveryWindowMs: whole("recoveryWindowMs", 0),
    recoveryBufferBytes: whole("recoveryBufferBytes", 1),
    maxMessageBytes: whole("maxMessageBytes", 1),
    maxNestingDepth: whole("maxNestingDepth", 1),
    messagesPerSecond: whole("messagesPerSecond", 1),
    messageBurst: whole("messageBurst", 1),
    maxConnections: whole("maxConnections", 0),
    maxConnectionsPerAddress: whole("maxConnectionsPerAddress", 0),
    handshakeTimeoutMs: checkWholeNumber("handshakeTimeoutMs", pick("handshakeTimeoutMs"), 1, MAX_TIMER_MS - CONNECT_TIMEOUT_MARGIN_MS),
    maxBufferedBytes: whole("maxBufferedBytes", 1),
    maxViolations: whole("maxViolations", 0),
    allowedOrigins: checkAllowedOrigins("allowedOrigins", pick("allowedOrigins")),
    shutdownTimeoutMs: whole("shutdownTimeoutMs", 0),
    fastPath: flag("fastPath"),
    keepRequest: flag("keepRequest"),
    adapter: checkFunction("adapter", pick("adapter"), "a socket.io adapter (what an adapter package's createAdapter() returns)", true),
    store: checkFunction("store", pick("store"), "memoryStore() or redisStore({ client })"),
    messagesPerSecondPerAddress: whole("messagesPerSecondPerAddress", 0),
    serverOptions,
  };
}
