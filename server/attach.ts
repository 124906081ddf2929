import { Server as HttpServer } from "node:http";
import { Server as HttpsServer } from "node:https";
import { Server, type Socket } from "socket.io";
import { resolveAttachOptions, type AttachOptions, type ResolvedAttachOptions } from "./options/attach-options.js";
import { addressKey, clientAddress } from "./admission/client-address.js";
import { noLog, registerConnectionLog, registerHandshakeErrorLog } from "./admission/connection-log.js";
import { releaseUpgradeLeftovers } from "./admission/upgrade-leftovers.js";
import { createSocketIoServer } from "./http/created-server.js";
import { registerClusterStats, type ClusterStats } from "./state/cluster-stats.js";
import { registerSharedCounters } from "./state/shared-counters.js";
import { registerConnectionGuards } from "./messages/register-connection-guards.js";
import type { EchoContext } from "./messages/echo-context.js";
import { registerEchoHandler } from "./messages/echo-handler.js";
import { fastEcho } from "./messages/fast-path.js";
import { keepEchoesOnThisNode } from "./recovery/node-local-echoes.js";
import { optionError } from "../protocol/option-error.js";
import { caught, listenerFailed } from "./logging/listener-errors.js";
import type { MessageGuard } from "./messages/message-guard.js";
import type { AllowedOrigins } from "./admission/origins.js";
import { StatsCounter, type EchoStats, type RefusalCounts } from "./state/stats.js";
import type { StoreStatus } from "./state/store.js";

/** What `attachEchoSocket()` returns. */
export interface EchoSocketHandle {
  /** The socket.io server the echo channel runs on (created, or the one passed in). */
  readonly io: Server;
  /** Live figures: connections, echoes, delivery and refusal counters. */
  stats(): EchoStats;
  /**
   * The same figures summed over every node the socket.io adapter reaches (the cluster adapter, the
   * Redis Streams adapter); with the in-memory adapter, this node's. With a shared store, the counters
   * that only grow (echoes, acked, ...) are the store's totals, which outlive the nodes that counted
   * them. Waits at most `timeoutMs` for the other nodes.
   */
  clusterStats(timeoutMs?: number): Promise<ClusterStats>;
  /** Refusals on this node since attach, by code; `too_many_violations` counts connections closed for them. */
  refusals(): RefusalCounts;
  /** Whether the `store` is reachable: a Redis store that lost Redis says so (and answers from memory). */
  storeStatus(): StoreStatus;
  /** The page origins allowed to connect (the `allowedOrigins` option); the router applies them too. */
  readonly allowedOrigins: AllowedOrigins;
  /** The socket.io path clients connect to (the `path` option, or an existing Server's own). */
  readonly path: string;
  /** The namespace the echo handler joins (the `namespace` option). */
  readonly namespace: string;
  /** The event clients emit (`receiveEvent`): the element's `send-event`. */
  readonly receiveEvent: string;
  /** The event echoes come back on (`replyEvent`): the element's `echo-event`. */
  readonly replyEvent: string;
  /**
   * Shuts down gracefully and releases what attach created. On a server it created: refuses new
   * connections and new messages (clients re-send those after reconnecting), lets echoes already on
   * their way go out (up to `shutdownTimeoutMs`), then closes every connection so clients reconnect,
   * elsewhere or to a restarted server, and gives the HTTP server its own listeners back (it keeps
   * listening). On an existing socket.io `Server`: removes only the echo handlers. Resolves when done.
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
  const existing = isSocketIoServer(target) ? useExistingServer(target, resolved, options ?? {}) : undefined;
  if (!existing && !(target instanceof HttpServer || target instanceof HttpsServer)) {
    throw optionError("target", "must be an http.Server, an https.Server or a socket.io Server", target);
  }
  // Made once everything is checked: a store may hold timers and client listeners.
  const store = resolved.store(resolved);
  const stats = new StatsCounter();
  const failed = listenerFailed(stats, resolved.logger);
  const created = existing ? undefined : createSocketIoServer(target as HttpServer | HttpsServer, resolved, store, failed);
  const io = existing ?? created!.io;
  let shuttingDown = false;
  const connections = registerConnectionGuards(io, {
    options: resolved,
    failed,
    ownsServer: created !== undefined,
    established: (conn) => created?.admission.established(conn),
  });
  const namespace = io.of(resolved.namespace);
  // A shared adapter (Redis Streams) under echo-socket's own recovery: an echo, to one socket on this
  // node, goes out from here and is kept in this node's ring, not in Redis (see node-local-echoes.ts).
  if (created && resolved.adapter && resolved.recoveryWindowMs > 0 && !resolved.serverOptions.connectionStateRecovery && !resolved.serverOptions.adapter) {
    const limits = { windowMs: resolved.recoveryWindowMs, maxBytes: resolved.recoveryBufferBytes, maxReplayBytes: resolved.maxBufferedBytes };
    keepEchoesOnThisNode(namespace.adapter, limits, resolved.logger);
  }
  const context: EchoContext = {
    options: resolved,
    stats,
    store,
    isShuttingDown: () => shuttingDown,
    guards: new Set<MessageGuard>(),
    // Without recovery, socket.io writes an emit straight to the connection, whatever the adapter.
    directEmits: created !== undefined && resolved.recoveryWindowMs === 0 && resolved.serverOptions.connectionStateRecovery === undefined,
    connections,
    failed,
    adapterSendsLocally: typeof (namespace.adapter as { heldBytes?: unknown }).heldBytes === "function",
    fastEcho: undefined,
    sessions: new Map(),
  };
  context.fastEcho = fastEcho(namespace, context);
  const clusterStats = registerClusterStats(namespace, () => stats.snapshot());
  const sharedCounters = registerSharedCounters(stats, store);
  /**
   * Each echo socket's session, and its log's remover when there is a logger. One shared `disconnect`
   * listener (socket.io calls it with the socket as `this`), not a closure per socket: per-connection
   * memory is measured (issue 17), and two closures and a wrapper were about 240 B of it.
   */
  const { sessions } = context;
  const logs = new Map<Socket, () => void>();
  const detach = (socket: Socket): void => {
    const echo = sessions.get(socket);
    if (!echo) return;
    stats.connections--;
    sessions.delete(socket);
    socket.off("disconnect", onDisconnect);
    echo.dispose();
    logs.get(socket)?.();
    logs.delete(socket);
  };
  function onDisconnect(this: Socket): void {
    try {
      detach(this);
    } catch (error) {
      failed("echo-socket's disconnect handler", error);
    }
  }
  const leftovers = created ? releaseUpgradeLeftovers(io.engine, resolved.logger) : undefined;

  const onConnection = caught(
    "echo-socket's connection handler",
    failed,
    (socket: Socket): void => {
      const address = addressKey(clientAddress(socket.handshake.address, socket.handshake.headers, resolved.trustProxy), resolved.ipv6Subnet);
      stats.connections++;
      stats.totalConnections++;
      created?.admission.established(socket.conn); // the guard says so too, unless it could not wrap this connection
      if (socket.recovered) stats.recovered++;
      leftovers?.connected(socket.conn);
      // The handshake is done and the address taken: let the request go (socket.io's memory guidance),
      // and its headers once every `connection` handler has run (they are read there, if anywhere).
      if (created && !resolved.keepRequest) {
        (socket.conn as { request: unknown }).request = null;
        process.nextTick(forgetHeaders, socket);
      }
      sessions.set(socket, registerEchoHandler(socket, context, address));
      const offLog = registerConnectionLog(socket, resolved.logger, address, failed);
      if (offLog !== noLog) logs.set(socket, offLog);
      socket.on("disconnect", onDisconnect); // removed by detach itself; `once` would add a wrapper per socket
    },
    (socket) => socket.disconnect(true),
  );
  namespace.on("connection", onConnection);
  // On an existing server, clients may already be connected: they get the echo too.
  for (const socket of namespace.sockets.values()) onConnection(socket);
  const offHandshakeLog = registerHandshakeErrorLog(io.engine, resolved.logger);

  let closing: Promise<void> | undefined;
  return {
    io,
    stats: () => stats.snapshot(),
    clusterStats: async (timeoutMs = 1000) => {
      const [summed, totals] = await Promise.all([clusterStats.collect(timeoutMs), sharedCounters.totals()]);
      // A shared store's totals outlive nodes; the adapter's sum covers only the nodes alive now.
      return totals ? { ...summed, ...totals } : summed;
    },
    refusals: () => ({ ...stats.refusedByCode }),
    storeStatus: () => store.status(),
    allowedOrigins: resolved.allowedOrigins,
    path: io.path(),
    namespace: resolved.namespace,
    receiveEvent: resolved.receiveEvent,
    replyEvent: resolved.replyEvent,
    close: () =>
      (closing ??= (async () => {
        shuttingDown = true;
        if (created) {
          created.admission.shuttingDown = true;
          await waitForQueuedEchoes(context.guards, resolved.shutdownTimeoutMs);
        }
        namespace.off("connection", onConnection);
        offHandshakeLog();
        clusterStats.dispose();
        sharedCounters.dispose();
        for (const socket of [...sessions.keys()]) detach(socket);
        leftovers?.dispose();
        connections.dispose();
        await created?.release();
        await store.close();
      })()),
  };
}

/** Options that only fit a server echo-socket creates are refused, rather than silently ignored. */
function useExistingServer(io: Server, options: ResolvedAttachOptions, given: Partial<AttachOptions>): Server {
  if (given.path !== undefined && given.path !== io.path()) {
    throw optionError("path", `cannot change the path of an existing socket.io Server (it uses "${io.path()}")`, given.path);
  }
  for (const key of [
    "serverOptions",
    "allowedOrigins",
    "maxConnections",
    "maxConnectionsPerAddress",
    "handshakeTimeoutMs",
    "keepRequest",
    "adapter",
  ] as const) {
    if (given[key] !== undefined && !(key === "serverOptions" && Object.keys(options.serverOptions).length === 0)) {
      throw optionError(key, "only applies when echo-socket creates the socket.io Server; set it on your Server", given[key]);
    }
  }
  return io;
}

/** Lets echoes already queued go out before connections close, for at most `timeoutMs`. */
async function waitForQueuedEchoes(guards: ReadonlySet<MessageGuard>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const queued = (): boolean => [...guards].some((guard) => guard.queued > 0);
  while (queued() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
}

/** `instanceof` alone misses a socket.io `Server` from another copy of the package. */
function isSocketIoServer(target: EchoSocketTarget): target is Server {
  const candidate = (target ?? {}) as Partial<Server>;
  return target instanceof Server || (typeof candidate.of === "function" && typeof candidate.path === "function");
}

/** What `socket.handshake.headers` becomes once the connection is set up, without `keepRequest`. */
const NO_HEADERS: Readonly<Record<string, never>> = Object.freeze({});

/** The headers are the request's own object: with the request gone they were all that kept them (~300 B-2 KB a connection). */
function forgetHeaders(socket: Socket): void {
  socket.handshake.headers = NO_HEADERS;
}
