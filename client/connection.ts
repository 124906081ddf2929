import { Manager, type ManagerOptions, type Socket, type SocketOptions } from "socket.io-client";
import { CONNECTION_REFUSAL, ERROR_EVENT, READY_EVENT } from "../protocol/index.js";
import { cap } from "./cap.js";
import { browserClock, type Clock } from "./clock.js";
import { diagnose, failureFacts, type Diagnosis, type FailureFacts } from "./diagnosis.js";

export type ConnectionStatus = "connecting" | "connected" | "reconnecting" | "disconnected";

/** What socket.io said when a connection attempt failed (`connect_error`). */
export interface ConnectionError {
  message: string;
  /** The transport's detail, when it gave one (an HTTP status, a WebSocket error). */
  description?: string;
}

export interface ConnectionOptions {
  url: string;
  path: string;
  echoEvent: string;
  /** Extra socket.io-client options, over the defaults below. */
  socketOptions?: Partial<ManagerOptions & SocketOptions>;
  /** For how long a target stays long-polling (see `markPollingOnly`); default the runtime's. */
  clock?: Clock;
}

export interface ConnectionCallbacks {
  /** `diagnosis`: why the last attempt failed (kept until connected), or why a connection uses long-polling. */
  onStatus(status: ConnectionStatus, transport: string | undefined, error?: ConnectionError, diagnosis?: Diagnosis): void;
  onEcho(args: unknown[]): void;
  /** The server said it echoes ids (an echo-socket server). */
  onReady(): void;
  /** The server reported a problem not tied to an acknowledged message (a sentence for the reader). */
  onServerError(message: string): void;
}

/** How long connections to a target long-poll after a WebSocket there closed before its handshake. */
export const POLLING_ONLY_MS = 10 * 60_000;
/** Most such targets remembered: past it the one marked longest ago is forgotten. */
export const POLLING_ONLY_TARGETS = 8;

/** Targets (origin and path) where a WebSocket closed before its handshake, each with until when it long-polls. */
const pollingOnly = new Map<string, number>();

/** A WebSocket to `target` closed before its handshake at `now` (the clock's): long-poll there for a while. */
export function markPollingOnly(target: string, now: number): void {
  pollingOnly.delete(target); // re-marked: the newest again
  pollingOnly.set(target, now + POLLING_ONLY_MS);
  if (pollingOnly.size > POLLING_ONLY_TARGETS) pollingOnly.delete(pollingOnly.keys().next().value!);
}

/** Whether connections to `target` long-poll at `now`; an expired mark is forgotten. */
export function isPollingOnly(target: string, now: number): boolean {
  if (now < (pollingOnly.get(target) ?? 0)) return true;
  pollingOnly.delete(target);
  return false;
}

// biome-ignore lint/suspicious/noExplicitAny: engine.io-client's listeners take arguments of any type (listener variance)
type Engine = { on(event: string, listener: (...args: any[]) => void): void; emit(event: string, ...args: unknown[]): void; transport?: { name: string } };

/** A Manager that shows each engine it opens (one per connection attempt) to `watch`, once. */
class WatchedManager extends Manager {
  watch?: (engine: Engine) => void;
  #watched: unknown;
  override open(fn?: (error?: Error) => void): this {
    super.open(fn);
    if (this.engine !== this.#watched) this.watch?.((this.#watched = this.engine) as unknown as Engine);
    return this;
  }
}

/** A Manager for `url` (its origin and query) and `path`, with the watch that marks a blocked WebSocket. */
interface OpenedManager {
  manager: WatchedManager;
  socketOptions: Partial<ManagerOptions & SocketOptions>;
  target: string;
  /** WebSocket came first (or was blocked before): polling once connected means it failed. */
  wantsWebSocketFirst: boolean;
  /** A connection took it (see `preconnect`). */
  taken?: boolean;
}

function newManager(url: URL, path: string, extra: ConnectionOptions["socketOptions"], clock: Clock): OpenedManager {
  const target = url.origin + path;
  // WebSocket first (one round trip sooner than polling-then-upgrade), falling back to long-polling
  // where WebSocket is blocked; never WebTransport (the standalone bundle leaves it out).
  const blockedBefore = isPollingOnly(target, clock.now());
  const socketOptions = {
    transports: blockedBefore ? ["polling"] : ["websocket", "polling"],
    tryAllTransports: true,
    ...extra,
    path,
    autoConnect: false,
  };
  const manager = new WatchedManager(url.origin + url.search, socketOptions);
  manager.watch = (engine) => {
    let opened = false;
    engine.on("open", () => (opened = true));
    engine.on("close", (reason: string) => {
      if (opened || reason !== "transport close" || engine.transport?.name !== "websocket") return;
      markPollingOnly(target, clock.now());
      (manager.opts as { transports?: string[] }).transports = ["polling"];
      // The Manager hears nothing of a close before `open` and would wait for its timeout: an error
      // now makes it try again, long-polling.
      engine.emit("error", Object.assign(new Error("websocket closed before the handshake"), { websocketClosed: true }));
    });
  };
  return { manager, socketOptions, target, wantsWebSocketFirst: blockedBefore || socketOptions.transports?.[0] === "websocket" };
}

/** The URL a connection to `url` uses (relative to the page in browsers); its path is the namespace, as io() reads it. */
const connectionUrl = (url: string): URL => new URL(url, typeof location === "object" ? location.href : undefined);
const managerKey = (url: URL, path: string): string => `${url.origin}${url.search} ${path}`;

/** Managers opened ahead of their connection by `preconnect`, by `managerKey`. */
const warm = new Map<string, OpenedManager>();

/**
 * Starts the engine.io handshake to `url` and `path` now, for an `EchoConnection` (with no socket
 * options of its own) made soon with the same two to take over, rather than starting its own: so a
 * page that must first learn its settings (the element's `config.json`) has its connection open by
 * then. An attempt that fails before it is taken reports nothing and is not retried: the connection
 * that takes it tries again at once, as a new one would. Returns what lets it go when no connection
 * took it (nothing when one did).
 */
export function preconnect(url: string, path: string, clock: Clock = browserClock): () => void {
  const parsed = connectionUrl(url);
  const key = managerKey(parsed, path);
  let opened = warm.get(key);
  if (!opened) {
    const { manager } = (opened = newManager(parsed, path, undefined, clock));
    warm.set(key, opened);
    // With a callback, a failed attempt is not retried, until a connection has taken it: then it is,
    // as an attempt opened without one (and the connection hears of the failure, as ever).
    // socket.io-client's own retry (a Manager member, not its API): without it, the taking connection's
    // own reconnection takes over at its next attempt.
    const retry = (manager as unknown as { maybeReconnectOnOpen?: () => void }).maybeReconnectOnOpen;
    manager.open((error) => {
      if (error && opened?.taken && typeof retry === "function") retry.call(manager);
    });
  }
  const mine = opened;
  return () => {
    if (warm.get(key) !== mine) return; // taken, or let go already
    warm.delete(key);
    // socket.io-client's _close() (its typings keep the disconnect() alias private); else close the engine.
    const close = (mine.manager as unknown as { _close?: () => void })._close;
    if (typeof close === "function") close.call(mine.manager);
    else mine.manager.engine?.close();
  };
}

/**
 * One socket.io connection, reported as four plain statuses with a diagnosis of what went wrong.
 * socket.io's own reconnection and long-polling fallback stay on, as the tutorial relies on them; a
 * WebSocket that opens and closes before the handshake (some proxies and antivirus do that) counts
 * as blocked too: the next attempts, and for 10 minutes later connections of the page (or process)
 * to that target, long-poll (`POLLING_ONLY_MS`, at most `POLLING_ONLY_TARGETS` targets remembered).
 */
export class EchoConnection {
  readonly #socket: Socket;
  #closed = false;

  constructor(options: ConnectionOptions, callbacks: ConnectionCallbacks) {
    // A Manager of its own, as `io(url, { forceNew: true })` makes, but without io()'s cache and URL
    // parser (the standalone bundle leaves them out), or the one `preconnect` opened for it.
    const url = connectionUrl(options.url);
    const key = managerKey(url, options.path);
    const clock = options.clock ?? browserClock;
    let opened = Object.keys(options.socketOptions ?? {}).length === 0 ? warm.get(key) : undefined;
    if (opened) {
      warm.delete(key);
      opened.taken = true;
    } else opened = newManager(url, options.path, options.socketOptions, clock);
    const { manager, socketOptions, target, wantsWebSocketFirst } = opened;
    const socket = (this.#socket = manager.socket(url.pathname, socketOptions));
    let diagnosis: Diagnosis | undefined;
    let refusal: FailureFacts["refusal"];
    const report = (status: ConnectionStatus, error?: ConnectionError): void => {
      if (!this.#closed) callbacks.onStatus(status, status === "connected" ? socket.io.engine?.transport?.name : undefined, error, diagnosis);
    };
    /** A failed attempt (`connect_error`: `error` is reported too) or a lost connection. */
    const failed = (status: ConnectionStatus, cause: unknown, error?: ConnectionError): void => {
      const facts = failureFacts(cause);
      if (refusal) facts.refusal = refusal;
      const done = (): void => {
        diagnosis = diagnose(facts, target);
        report(status, error);
      };
      // From another origin, an answer without CORS headers reads as status 0, like silence: a
      // no-cors request tells the two apart (it resolves once anything answers). Browsers only.
      if (facts.transport && !facts.status && typeof document === "object") {
        fetch(`${target}/?EIO=4&transport=polling`, { mode: "no-cors" })
          .then(
            () => (facts.reachable = true),
            () => {},
          )
          .then(done);
      } else done();
    };

    socket.on("connect", () => {
      refusal = undefined;
      // Polling where WebSocket came first: WebSocket failed (socket.io moved on) or was blocked earlier.
      diagnosis = wantsWebSocketFirst && socket.io.engine.transport.name === "polling" ? diagnose({ message: "", websocketClosed: true }, target) : undefined;
      report("connected");
      // Tell the reader when polling upgrades to websocket.
      socket.io.engine.once("upgrade", () => {
        diagnosis = undefined;
        report("connected");
      });
    });
    // After a client-side or server-side disconnect socket.io does not retry; after anything else it does.
    socket.on("disconnect", (reason, description) => {
      const status = reason === "io client disconnect" || reason === "io server disconnect" ? "disconnected" : "reconnecting";
      if (refusal || (description as { type?: unknown })?.type === "TransportError") failed(status, description ?? reason);
      else report(status);
    });
    // `active` tells whether socket.io will try again after a failed attempt.
    socket.on("connect_error", (error) => failed(socket.active ? "reconnecting" : "disconnected", error, connectionError(error)));
    socket.io.on("reconnect_attempt", () => report("reconnecting"));
    socket.io.on("reconnect_failed", () => report("disconnected"));
    socket.on(options.echoEvent, (...args: unknown[]) => callbacks.onEcho(args));
    socket.on(READY_EVENT, () => callbacks.onReady());
    socket.on(ERROR_EVENT, (error: { code?: unknown; message?: unknown }) => {
      if (typeof error?.message !== "string") return;
      // A refusal of the connection itself (too_many_violations): the close that follows says why.
      if (error.code === CONNECTION_REFUSAL) refusal = error;
      callbacks.onServerError(cap(error.message));
    });
    report("connecting");
    socket.connect();
  }

  /**
   * Emits `event`; with `onAck`, asks for an acknowledgement (`onAck` gets an error after `timeoutMs`
   * or on disconnect).
   */
  emit(event: string, args: unknown[], timeoutMs?: number, onAck?: (error: Error | null, ...reply: unknown[]) => void): true {
    if (onAck) this.#socket.timeout(timeoutMs!).emit(event, ...args, onAck);
    else this.#socket.emit(event, ...args);
    return true;
  }

  /** Disconnects for good (reporting `disconnected`), then drops every listener. */
  close(): void {
    this.#socket.disconnect();
    this.#closed = true;
    this.#socket.removeAllListeners();
    this.#socket.io.removeAllListeners();
  }
}

/** socket.io's `connect_error` as plain data: its message, and the transport's detail (an HTTP status, an error's message). */
// biome-ignore lint/suspicious/noExplicitAny: socket.io-client types the transport's detail as any
function connectionError({ message, description }: Error & { description?: any }): ConnectionError {
  description = description?.message ?? description;
  message = cap(message);
  return description === undefined ? { message } : { message, description: cap(String(description)) };
}
