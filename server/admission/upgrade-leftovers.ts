import type { Logger } from "../logging/logger.js";

/**
 * What engine.io keeps of a WebSocket upgrade for a connection's whole life though nothing reads it
 * once the connection is open, on a server echo-socket made. Measured with 10,000 idle connections
 * (bench capacity scenario, heap snapshots):
 *
 * - engine.io wraps the upgrade in a `WebSocketResponse` (so `engine.use()` middlewares can run on
 *   it) that listens for the TCP socket's `close` to re-emit it, for middlewares such as pino-http.
 *   That listener holds the response, and the response the upgrade `IncomingMessage` (raw headers,
 *   parser state, streams): about 1 KB a connection, even once `socket.request` is let go. Without
 *   `engine.use()` middlewares of the user's nobody ever saw that response, so its listener goes as soon as the
 *   upgrade's headers are written (`headers` event), and its `close` is unobservable either way.
 *   engine.io's own `cors` middleware, installed with the server, only sets headers: it does not count.
 * - engine.io's `onUpgradeError`, a no-op `error` listener on the `ws` socket meant for the moment
 *   before the transport takes over, stays on a connection that started as a WebSocket (about
 *   100 B); the transport's own `error` listener handles errors from then on.
 *
 * Both are engine.io internals, recognised by their exact shape: when a WebSocket upgrade shows no
 * such listener (another engine.io version), this steps aside for good and says so in one log line.
 */
export interface UpgradeLeftovers {
  /** The connection is set up (its first namespace joined; `conn.request` still there): drops `onUpgradeError` from its `ws` socket. */
  connected(conn: unknown): void;
  dispose(): void;
}

/** engine.io's `WebSocketResponse` constructor: `socket.once("close", () => this.emit("close"))`. */
const RESPONSE_CLOSE_SOURCE = '() => this.emit("close")';
/** engine.io's `onWebSocket`: `websocket.on("error", onUpgradeError)`, a function that only logs with `debug`. */
const UPGRADE_ERROR_NAME = "onUpgradeError";

type Listener = (...args: unknown[]) => void;

interface ListenerHolder {
  rawListeners(event: string): Listener[];
  listeners(event: string): Listener[];
  off(event: string, listener: Listener): unknown;
}

interface Engine {
  middlewares?: unknown;
  on(event: "headers", listener: (headers: unknown, req: UpgradeRequest) => void): unknown;
  off(event: "headers", listener: (headers: unknown, req: UpgradeRequest) => void): unknown;
}

interface UpgradeRequest {
  headers?: { upgrade?: string };
  socket?: Partial<ListenerHolder>;
}

const NONE: UpgradeLeftovers = { connected() {}, dispose() {} };

export function releaseUpgradeLeftovers(engine: unknown, logger: Logger): UpgradeLeftovers {
  const io = engine as Engine;
  if (!Array.isArray(io.middlewares)) {
    logger.warn("engine.io has no middleware list here (another version?): its WebSocket upgrade leftovers are kept");
    return NONE;
  }
  const middlewares = io.middlewares as unknown[];
  // engine.io's own (its `cors` middleware, which only sets headers), there before anyone could add one.
  const own = [...middlewares];
  const onlyOwn = (): boolean => middlewares.length === own.length && middlewares.every((middleware, i) => middleware === own[i]);
  let responses = true;
  let upgradeErrors = true;

  const onHeaders = (_headers: unknown, req: UpgradeRequest): void => {
    // Polling responses emit `headers` too; with a middleware of the user's, the response is theirs to keep.
    if (!responses || req?.headers?.upgrade?.toLowerCase() !== "websocket" || !onlyOwn()) return;
    try {
      const socket = req.socket;
      const close = typeof socket?.rawListeners === "function" ? socket.rawListeners("close") : [];
      const wrapper = close.find((listener) => String((listener as { listener?: unknown }).listener) === RESPONSE_CLOSE_SOURCE);
      if (wrapper) return void socket!.off!("close", wrapper);
    } catch {
      // fall through: not the shape this was written for
    }
    responses = false;
    io.off("headers", onHeaders);
    logger.warn("engine.io's WebSocket upgrade response is not the one echo-socket knows (another version?): it is kept for each connection");
  };
  io.on("headers", onHeaders);

  return {
    connected(conn) {
      if (!upgradeErrors) return;
      const { transport: ws, request } = conn as {
        transport?: { name?: string; socket?: Partial<ListenerHolder> };
        request?: { _query?: { transport?: string } };
      };
      // Only a connection that opened as a WebSocket: engine.io drops it itself when polling upgrades.
      if (ws?.name !== "websocket" || request?._query?.transport !== "websocket") return;
      try {
        const errors = typeof ws.socket?.listeners === "function" ? ws.socket.listeners("error") : [];
        const upgradeError = errors.find((listener) => listener.name === UPGRADE_ERROR_NAME);
        // The transport's own `error` listener stays: an emitter with none would throw on an error.
        if (upgradeError && errors.length > 1) return void ws.socket!.off!("error", upgradeError);
      } catch {
        // fall through
      }
      upgradeErrors = false;
      logger.warn("engine.io's WebSocket listeners are not the ones echo-socket knows (another version?): onUpgradeError is kept for each connection");
    },
    dispose() {
      io.off("headers", onHeaders);
    },
  };
}
