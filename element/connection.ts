import { io, type Socket } from "socket.io-client";
import { ERROR_EVENT, READY_EVENT } from "../protocol/index.js";

export type ConnectionStatus = "connecting" | "connected" | "reconnecting" | "disconnected";

export interface ConnectionOptions {
  url: string;
  path: string;
  echoEvent: string;
}

export interface ConnectionCallbacks {
  onStatus(status: ConnectionStatus, transport: string | undefined): void;
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
  private readonly socket: Socket;

  constructor(options: ConnectionOptions, callbacks: ConnectionCallbacks) {
    // WebSocket first (one round trip sooner than polling-then-upgrade), falling back to long-polling
    // where WebSocket is blocked; never WebTransport (the standalone bundle leaves it out).
    this.socket = io(options.url, {
      path: options.path,
      forceNew: true,
      transports: ["websocket", "polling"],
      tryAllTransports: true,
    });
    const { socket } = this;
    const report = (status: ConnectionStatus): void =>
      callbacks.onStatus(status, status === "connected" ? socket.io.engine?.transport?.name : undefined);

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
    socket.on("connect_error", () => report(socket.active ? "reconnecting" : "disconnected"));
    socket.io.on("reconnect_attempt", () => report("reconnecting"));
    socket.io.on("reconnect_failed", () => report("disconnected"));
    socket.on(options.echoEvent, (...args: unknown[]) => callbacks.onEcho(args));
    socket.on(READY_EVENT, () => callbacks.onReady());
    socket.on(ERROR_EVENT, (error: { message?: unknown }) => {
      if (typeof error?.message === "string") callbacks.onServerError(error.message);
    });
    report("connecting");
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  /** Emits `event` asking for an acknowledgement; `onAck` gets an error on timeout or disconnect. */
  emitWithAck(event: string, args: unknown[], timeoutMs: number, onAck: (error: Error | null, reply?: unknown) => void): void {
    this.socket.timeout(timeoutMs).emit(event, ...args, onAck);
  }

  /** Disconnects for good (reporting `disconnected`), then drops every listener. */
  close(): void {
    this.socket.disconnect();
    this.socket.removeAllListeners();
    this.socket.io.removeAllListeners();
  }
}
