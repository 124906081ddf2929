import type { Server } from "socket.io";
import type { ResolvedAttachOptions } from "../options/attach-options.js";
import { addressKey, clientAddress } from "../admission/client-address.js";
import { ConnectionGuard, type EngineConnection, type GuardHooks } from "./connection-guard.js";
import { guardListeners } from "./guard-listeners.js";
import { caught, type ListenerFailed } from "../logging/listener-errors.js";
import { OVERSIZE_ATTACHMENT } from "./payload-size.js";
import { frameEngineProblem, FrameListener } from "./websocket-frames.js";
import { eventStart, PACKET, standInPacket, type PacketHead } from "./wire.js";

export type { ConnectionGuard, GuardedSession } from "./connection-guard.js";

/** Every guarded connection of one channel, found by its engine.io connection. */
export interface ConnectionGuards {
  of(conn: unknown): ConnectionGuard | undefined;
  dispose(): void;
}

interface Channel {
  options: ResolvedAttachOptions;
  failed: ListenerFailed;
  /** True on a server echo-socket made: every packet on it is the echo channel's business. */
  ownsServer: boolean;
  /** A connection finished the socket.io handshake (the admission check stops timing it). */
  established(conn: EngineConnection): void;
}

interface EngineRequest {
  socket?: { remoteAddress?: string };
  headers?: Record<string, string | string[] | undefined>;
}

/**
 * Puts a `ConnectionGuard` on every engine.io connection: new ones as engine.io opens them (after
 * socket.io's own listener is on), and on an existing server the ones already open. A connection
 * whose `data` listeners are not socket.io's alone is left unguarded, and the log says so once.
 */
export function registerConnectionGuards(io: Server, channel: Channel): ConnectionGuards {
  const { options, failed } = channel;
  const guards = new Map<EngineConnection, ConnectionGuard>();
  const receiveEvent = eventStart(options.receiveEvent);
  let warned = false;
  let framesOn = options.fastPath;
  const framesOff = (problem: string): void => {
    if (!framesOn) return;
    framesOn = false;
    options.logger.warn(`echo-socket's WebSocket frame path is off (${problem}): echoes go through engine.io`);
  };
  const engineProblem = frameEngineProblem(io.engine);
  if (engineProblem) framesOff(engineProblem);

  const passThrough = new WeakMap<EngineConnection, (data: unknown) => void>();
  const hooks: GuardHooks = {
    options,
    listeners: guardListeners((conn) => guards.get(conn), passThrough),
    passThrough,
    frameListener: new FrameListener(),
    // On a server of the user's, only the echo event is ours to limit; their own events keep their limits.
    limited: (head: PacketHead, text: string) =>
      channel.ownsServer ||
      (head.namespace === options.namespace &&
        (head.type === PACKET.EVENT || head.type === PACKET.BINARY_EVENT) &&
        text.startsWith(receiveEvent, head.bodyStart)),
    standInsReachHandler: parserKeepsStandIns(io),
    established: (conn) => channel.established(conn),
    closed: (address, reason) => options.logger.warn(`connection from ${address} closed: ${reason}`),
    failed: (address, error) => failed(`echo-socket's guard on the connection from ${address} (closed)`, error),
    released: (conn) => void guards.delete(conn),
    framesAllowed: () => framesOn,
    framesRefused: framesOff,
  };

  const guard = (conn: EngineConnection, socketIoOnData: (data: unknown) => void, request: EngineRequest | null | undefined): void => {
    if (guards.has(conn) || conn.readyState !== "open") return;
    const remote = request?.socket?.remoteAddress ?? (conn as { remoteAddress?: string }).remoteAddress ?? "unknown";
    const address = addressKey(clientAddress(remote, request?.headers ?? {}, options.trustProxy), options.ipv6Subnet);
    guards.set(conn, new ConnectionGuard(conn, socketIoOnData, hooks, address));
  };
  const onConnection = caught("echo-socket's connection guard", failed, (conn: EngineConnection & { request?: EngineRequest }): void => {
    const listeners = conn.listeners("data");
    if (listeners.length === 1) return guard(conn, listeners[0] as (data: unknown) => void, conn.request);
    if (!warned) options.logger.warn(`an engine.io connection has ${listeners.length} data listeners, not socket.io's alone: left unguarded`);
    warned = true;
  });
  io.engine.on("connection", onConnection);
  for (const socket of io.of(options.namespace).sockets.values()) {
    // socket.io's Client binds `ondata` and listens with it: that, and only that, is what the guard wraps.
    const ondata = (socket.client as unknown as { ondata?: unknown }).ondata;
    const conn = socket.conn as unknown as EngineConnection;
    if (typeof ondata === "function" && conn.listeners("data").includes(ondata)) guard(conn, ondata as (data: unknown) => void, socket.request);
  }

  return {
    of: (conn) => guards.get(conn as EngineConnection),
    dispose() {
      io.engine.off("connection", onConnection);
      for (const connectionGuard of [...guards.values()]) connectionGuard.dispose();
      guards.clear();
    },
  };
}

/**
 * The guard hands socket.io a stand-in attachment for a message too large and counts on the echo
 * handler seeing that very object. Checked once, on the server's own parser: if it copied
 * attachments, a stand-in would arrive as an empty buffer and be echoed; the guard then closes such
 * connections instead.
 */
function parserKeepsStandIns(io: Server): boolean {
  const parser = (
    io as unknown as {
      _parser?: { Decoder?: new () => { on(event: "decoded", fn: (packet: { data?: unknown[] }) => void): unknown; add(data: unknown): void } };
    }
  )._parser;
  if (typeof parser?.Decoder !== "function") return false;
  try {
    const decoder = new parser.Decoder();
    let decoded: unknown[] | undefined;
    decoder.on("decoded", (packet) => void (decoded = packet.data));
    decoder.add(standInPacket("/", "1", "probe"));
    decoder.add(OVERSIZE_ATTACHMENT);
    return decoded?.[1] === OVERSIZE_ATTACHMENT;
  } catch {
    return false;
  }
}
