import { Manager, type ManagerOptions, type Socket, type SocketOptions } from "socket.io-client";
import { ERROR_EVENT, READY_EVENT } from "../protocol/index.js";

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
}

export interface ConnectionCallbacks {
  onStatus(status: ConnectionStatus, transport: string | undefined, error?: ConnectionError): void;
  onEcho(args: unknown[]): void;
  /** The server said it echoes ids (an echo-socket server). */
  onReady(): void;
  /** The server reported a problem not tied to an acknowledged message (a sentence for the reader). */
  onServerError(message: string): void;
}

/**
 * One socket.io connection, reported as four plain statuses. socket.io's own reconnection and
 * long-polling fallback stay on, as the tutorial relies on them.
 */
export class EchoConnection {
  readonly #socket: Socket;

  constructor(options: ConnectionOptions, callbacks: ConnectionCallbacks) {
    // WebSocket first (one round trip sooner than polling-then-upgrade), falling back to long-polling
    // where WebSocket is blocked; never WebTransport (the standalone bundle leaves it out).
    const socketOptions = { transports: ["websocket", "polling"], tryAllTransports: true, ...options.socketOptions, path: options.path };
    // A Manager of its own, as `io(url, { forceNew: true })` makes, but without io()'s cache and URL
    // parser (the standalone bundle leaves them out): the URL's path is the namespace, as io() reads it.
    const url = new URL(options.url, typeof location === "object" ? location.href : undefined);
    const socket = (this.#socket = new Manager(url.origin + url.search, socketOptions).socket(url.pathname, socketOptions));
    const report = (status: ConnectionStatus, error?: ConnectionError): void =>
      callbacks.onStatus(status, status === "connected" ? socket.io.engine?.transport?.name : undefined, error);

    socket.on("connect", () => {
      report("connected");
      // Tell the reader when polling upgrades to websocket.
      socket.io.engine.once("upgrade", () => report("connected"));
    });
    // After a client-side or server-side disconnect socket.io does not retry; after anything else it does.
    socket.on("disconnect", (reason) =>
      report(reason === "io client disconnect" || reason === "io server disconnect" ? "disconnected" : "reconnecting"),
    );
    // `active` tells whether socket.io will try again after a failed attempt.
    socket.on("connect_error", (error) => report(socket.active ? "reconnecting" : "disconnected", connectionError(error)));
    socket.io.on("reconnect_attempt", () => report("reconnecting"));
    socket.io.on("reconnect_failed", () => report("disconnected"));
    socket.on(options.echoEvent, (...args: unknown[]) => callbacks.onEcho(args));
    socket.on(READY_EVENT, () => callbacks.onReady());
    socket.on(ERROR_EVENT, (error: { message?: unknown }) => {
      if (typeof error?.message === "string") callbacks.onServerError(error.message);
    });
    report("connecting");
  }

  /** Emits `event` asking for an acknowledgement; `onAck` gets an error on timeout or disconnect. */
  emitWithAck(event: string, args: unknown[], timeoutMs: number, onAck: (error: Error | null, reply?: unknown) => void): void {
    this.#socket.timeout(timeoutMs).emit(event, ...args, onAck);
  }

  /** Disconnects for good (reporting `disconnected`), then drops every listener. */
  close(): void {
    this.#socket.disconnect();
    this.#socket.removeAllListeners();
    this.#socket.io.removeAllListeners();
  }
}

/** socket.io's `connect_error` as plain data: its message, and the transport's detail (an HTTP status, an error's message). */
function connectionError({ message, description }: Error & { description?: any }): ConnectionError {
  description = description?.message ?? description;
  return description === undefined ? { message } : { message, description: String(description) };
}
