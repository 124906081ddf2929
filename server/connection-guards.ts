import type { Server } from "socket.io";
import type { ResolvedAttachOptions } from "./attach-options.js";
import { ConnectionGuard, type EngineConnection, type GuardHooks } from "./connection-guard.js";

export type { ConnectionGuard, GuardedSession } from "./connection-guard.js";
import { ERROR_EVENT, refusal } from "./refusal.js";
import { caught, type ListenerFailed } from "./listener-errors.js";
import type { StatsCounter } from "./stats.js";
import { ackPacket, eventPacket, PACKET, type PacketHead } from "./wire.js";

/** Every guarded connection of one channel, found by its engine.io connection. */
export interface ConnectionGuards {
  of(conn: unknown): ConnectionGuard | undefined;
  dispose(): void;
}

interface Channel {
  options: ResolvedAttachOptions;
  stats: StatsCounter;
  failed: ListenerFailed;
  /** True on a server echo-socket made: every packet on it is the echo channel's business. */
  ownsServer: boolean;
  /** A connection finished the socket.io handshake (the admission check stops timing it). */
  established(conn: EngineConnection): void;
}

/**
 * Puts a `ConnectionGuard` on every engine.io connection: new ones as engine.io opens them (after
 * socket.io's own listener is on), and on an existing server the ones already open. A connection
 * whose `data` listeners are not socket.io's alone is left unguarded, and the log says so once.
 */
export function registerConnectionGuards(io: Server, channel: Channel): ConnectionGuards {
  const { options, stats } = channel;
  const guards = new Map<EngineConnection, ConnectionGuard>();
  const address = (conn: EngineConnection): string => (conn as { remoteAddress?: string }).remoteAddress ?? "unknown";
  const eventPrefix = `[${JSON.stringify(options.receiveEvent)}`;
  let warned = false;

  const hooks: GuardHooks = {
    options,
    // On a server of the user's, only the echo event is ours to limit; their own events keep their limits.
    limited: (head: PacketHead, text: string) =>
      channel.ownsServer ||
      (head.namespace === options.namespace &&
        (head.type === PACKET.EVENT || head.type === PACKET.BINARY_EVENT) &&
        text.startsWith(eventPrefix, head.bodyStart)),
    refuseElsewhere(conn, head) {
      stats.refused++;
      const refused = refusal("message_too_large", options.maxMessageBytes);
      conn.write(head.ackId === undefined ? eventPacket(head.namespace, ERROR_EVENT, [refused.error]) : ackPacket(head.namespace, head.ackId, [refused]));
    },
    established: (conn) => channel.established(conn),
    closed: (conn, reason) => options.logger.warn(`connection from ${address(conn)} closed: ${reason}`),
    failed: (conn, error) => channel.failed(`echo-socket's guard on the connection from ${address(conn)} (closed)`, error),
    released: (conn) => void guards.delete(conn),
  };

  const guard = (conn: EngineConnection, socketIoOnData: (data: unknown) => void): void => {
    if (guards.has(conn) || conn.readyState !== "open") return;
    guards.set(conn, new ConnectionGuard(conn, socketIoOnData, hooks));
  };
  const onConnection = (conn: EngineConnection): void => {
    const listeners = conn.listeners("data");
    if (listeners.length === 1) return guard(conn, listeners[0] as (data: unknown) => void);
    if (!warned) options.logger.warn(`an engine.io connection has ${listeners.length} data listeners, not socket.io's alone: left unguarded`);
    warned = true;
  };
  const onConnectionCaught = caught("echo-socket's connection guard", channel.failed, onConnection);
  io.engine.on("connection", onConnectionCaught);
  for (const socket of io.of(options.namespace).sockets.values()) {
    // socket.io's Client binds `ondata` and listens with it: that, and only that, is what the guard wraps.
    const ondata = (socket.client as unknown as { ondata?: unknown }).ondata;
    const conn = socket.conn as unknown as EngineConnection;
    if (typeof ondata === "function" && conn.listeners("data").includes(ondata)) guard(conn, ondata as (data: unknown) => void);
  }

  return {
    of: (conn) => guards.get(conn as EngineConnection),
    dispose() {
      io.engine.off("connection", onConnectionCaught);
      for (const connectionGuard of [...guards.values()]) connectionGuard.dispose();
      guards.clear();
    },
  };
}
