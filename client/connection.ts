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

/** A Manager that shows each engine it opens (one per connection attempt) to `watch`. */
class WatchedManager extends Manager {
  watch?: (engine: Engine) => void;
  override open(fn?: (error?: Error) => void): this {
    super.open(fn);
    this.watch?.(this.engine as unknown as Engine);
    return this;
  }
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
    // parser (the standalone bundle leaves them out): the URL's path is the namespace, as io() reads it.
    const url = new URL(options.url, typeof location === "object" ? location.href : undefined);
    const target = url.origin + options.path;
    // WebSocket first (one round trip sooner than polling-then-upgrade), falling back to long-polling
    // where WebSocket is blocked; never WebTransport (the standalone bundle leaves it out).
    const clock = options.clock ?? browserClock;
    const blockedBefore = isPollingOnly(target, clock.now());
    const socketOptions = {
      transports: blockedBefore ? ["polling"] : ["websocket", "polling"],
      tryAllTransports: true,
      ...options.socketOptions,
      path: options.path,
      autoConnect: false,
    };
    const wantsWebSocketFirst = blockedBefore || socketOptions.transports?.[0] === "websocket";
    const manager = new WatchedManager(url.origin + url.search, socketOptions);
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
