import { Server as HttpServer } from "node:http";
import { Server as HttpsServer } from "node:https";
import { Server, type Socket } from "socket.io";
import {
  resolveAttachOptions,
  socketIoServerOptions,
  type AttachOptions,
  type ResolvedAttachOptions,
} from "./attach-options.js";
import { clientAddress } from "./client-address.js";
import { registerConnectionLog, registerHandshakeErrorLog } from "./connection-log.js";
import { MemoryDedupWindow } from "./dedup.js";
import { registerEchoHandler } from "./echo-handler.js";
import { optionError } from "./errors.js";
import { trackListeners } from "./http-listeners.js";
import { StatsCounter, type EchoStats } from "./stats.js";

/** What `attachEchoSocket()` returns. */
export interface EchoSocketHandle {
  /** The socket.io server the echo channel runs on (created, or the one passed in). */
  readonly io: Server;
  /** Live figures: connections now, connections since attach, messages echoed. */
  stats(): EchoStats;
  /**
   * Releases what attach created. On a server it created: disconnects every client, closes
   * engine.io and gives the HTTP server its own listeners back (the HTTP server keeps listening).
   * On an existing socket.io `Server`: removes only the echo handlers. Resolves when done.
   */
  close(): Promise<void>;
}

export type EchoSocketTarget = HttpServer | HttpsServer | Server;

/**
 * Adds the echo channel to `target`: every `receiveEvent` a client emits comes back to that client
 * alone as `replyEvent`, with the same arguments. `target` is an `http.Server`/`https.Server`
 * (a socket.io `Server` is created on it) or an existing socket.io `Server` (only a handler is added).
 * Options are validated here, once; a bad one throws a `TypeError` naming it.
 */
export function attachEchoSocket(target: EchoSocketTarget, options?: Partial<AttachOptions>): EchoSocketHandle {
  const resolved = resolveAttachOptions(options);
  const { io, release } =
    isSocketIoServer(target) ? useExistingServer(target, resolved, options ?? {}) : createServer(target, resolved);
  const stats = new StatsCounter();
  const dedup = new MemoryDedupWindow(resolved.dedupWindowSize, resolved.dedupWindowMs);
  const namespace = io.of(resolved.namespace);
  const detachers = new Map<Socket, () => void>();

  const onConnection = (socket: Socket): void => {
    const address = clientAddress(socket.handshake.address, socket.handshake.headers, resolved.trustProxy);
    stats.connections++;
    stats.totalConnections++;
    if (socket.recovered) stats.recovered++;
    const offEcho = registerEchoHandler(socket, resolved, stats, dedup, address);
    const offLog = registerConnectionLog(socket, resolved.logger, address);
    const onDisconnect = (): void => detach();
    const detach = (): void => {
      stats.connections--;
      detachers.delete(socket);
      socket.off("disconnect", onDisconnect);
      offEcho();
      offLog();
    };
    socket.once("disconnect", onDisconnect);
    detachers.set(socket, detach);
  };
  namespace.on("connection", onConnection);
  // On an existing server, clients may already be connected: they get the echo too.
  for (const socket of namespace.sockets.values()) onConnection(socket);
  const offHandshakeLog = registerHandshakeErrorLog(io.engine, resolved.logger);

  let closing: Promise<void> | undefined;
  return {
    io,
    stats: () => stats.snapshot(),
    close: () =>
      (closing ??= (async () => {
        namespace.off("connection", onConnection);
        offHandshakeLog();
        for (const detach of [...detachers.values()]) detach();
        dedup.clear();
        await release();
      })()),
  };
}

function createServer(target: object, options: ResolvedAttachOptions) {
  if (!(target instanceof HttpServer || target instanceof HttpsServer)) {
    throw optionError("target", "must be an http.Server, an https.Server or a socket.io Server", target);
  }
  let io!: Server;
  const restoreListeners = trackListeners(target, () => {
    io = new Server(target, socketIoServerOptions(options));
  });
  // engine.io keeps its client list protected, so keep our own to wait on at close.
  const clients = new Set<EngineClient>();
  io.engine.on("connection", (client: EngineClient) => {
    clients.add(client);
    client.once("close", () => clients.delete(client));
  });
  const release = async (): Promise<void> => {
    const open = [...clients];
    io.engine.close(); // closes every client (discarding their buffers) and the ws server
    await Promise.all(open.map(waitForClose));
    await Promise.all([...new Set([io.of("/"), io.of(options.namespace)])].map((nsp) => nsp.adapter.close()));
    restoreListeners();
  };
  return { io, release };
}

function useExistingServer(io: Server, options: ResolvedAttachOptions, given: Partial<AttachOptions>) {
  if (given.path !== undefined && given.path !== io.path()) {
    throw optionError("path", `cannot change the path of an existing socket.io Server (it uses "${io.path()}")`, given.path);
  }
  if (given.serverOptions !== undefined && Object.keys(options.serverOptions).length > 0) {
    throw optionError("serverOptions", "only applies when echo-socket creates the socket.io Server", given.serverOptions);
  }
  // The user's server, the user's sockets: release only our handlers (done by the caller).
  return { io, release: async (): Promise<void> => {} };
}

interface EngineClient {
  readyState: string;
  once(event: "close", fn: () => void): unknown;
}

function waitForClose(client: EngineClient): Promise<void> {
  return client.readyState === "closed" ? Promise.resolve() : new Promise((resolve) => client.once("close", () => resolve()));
}

/** `instanceof` alone misses a socket.io `Server` from another copy of the package. */
function isSocketIoServer(target: EchoSocketTarget): target is Server {
  const candidate = (target ?? {}) as Partial<Server>;
  return target instanceof Server || (typeof candidate.of === "function" && typeof candidate.path === "function");
}
