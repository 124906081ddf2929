import type { BroadcastOptions, PrivateSessionId } from "socket.io-adapter";
import type { Logger } from "../logging/logger.js";
import { type EmittedPacket, type RecoveryLimits, RecoveryRing } from "./recovery-ring.js";

/** The members of socket.io-adapter's `ClusterAdapter` (the Redis Streams adapter's base) this relies on. */
interface ClusterAdapterShape {
  nsp: { sockets: Map<string, unknown>; server: { opts: { connectionStateRecovery?: unknown } } };
  broadcast(packet: EmittedPacket, opts: BroadcastOptions): unknown;
  addOffsetIfNecessary(packet: EmittedPacket, opts: BroadcastOptions, offset: string): void;
  publishAndReturnOffset(message: unknown): Promise<string>;
  persistSession(session: Parameters<RecoveryRing["persistSession"]>[0]): void;
  restoreSession(pid: PrivateSessionId, offset: string): Promise<unknown> | unknown;
  close(): Promise<void> | void;
  echoRecovery?: RecoveryRing;
}

/**
 * Keeps echoes off Redis. With connection state recovery on, socket.io sends every emit through
 * `adapter.broadcast`, and a cluster adapter (Redis Streams) publishes each one (an XADD that every
 * node reads back and decodes) before writing it: for an echo, which goes to one socket on this node,
 * that is all cost. On the namespace's shared adapter `adapter`, this makes an emit to exactly one
 * socket connected to this node (one room, that socket's id, nothing excluded; or a socket that
 * dropped from it, its session kept here, as an echo still on its way does) go out from here,
 * kept for recovery in this node's `RecoveryRing` (bounded by bytes, count and age, as in memory
 * mode), and lets the fast path run (it finds the ring as `echoRecovery`). Everything else (an
 * application's broadcasts to rooms or the namespace, fetchSockets, serverSideEmit, ...) keeps the
 * adapter's cluster path; its recoverable packets delivered here are kept in the ring too, with the
 * adapter's offsets, so a session restored here misses none of them.
 *
 * Sessions: socket.io saves a dropped session with `persistSession`; it is kept here (and given to the
 * adapter as before). A reconnect presenting an offset this ring can restore from (one it wrote, or a
 * kept packet's stream id) restores from here; any other offset goes to the adapter. The trade-off: a
 * client that reconnects to ANOTHER node (its node died or restarted) presents an offset that node
 * cannot restore from, and starts a fresh session: the element re-sends every message whose echo it
 * did not get, and the Redis store recognises the re-sent ids across nodes, so nothing is lost or
 * shown twice. (A room named after a socket on this node that a socket elsewhere joined would not get
 * emits to it from here: socket.io's rooms named after socket ids are that socket's alone.)
 *
 * Returns false, after one log line, when `adapter` is not the shape this relies on (it is then left as it is).
 */
export function keepEchoesOnThisNode(adapter: object, limits: RecoveryLimits, logger: Logger): boolean {
  const shared = adapter as ClusterAdapterShape;
  const localBroadcast = inMemoryBroadcast(shared);
  const why =
    localBroadcast === undefined
      ? "its broadcast does not come from socket.io-adapter's ClusterAdapter over its in-memory Adapter"
      : typeof shared.publishAndReturnOffset !== "function" || typeof shared.addOffsetIfNecessary !== "function" || shared.addOffsetIfNecessary.length !== 3
        ? "it has no publishAndReturnOffset/addOffsetIfNecessary(packet, opts, offset)"
        : !(shared.nsp?.sockets instanceof Map) || !shared.nsp.server?.opts?.connectionStateRecovery
          ? "its namespace has no socket map or no connection state recovery"
          : typeof shared.persistSession !== "function" || typeof shared.restoreSession !== "function" || typeof shared.close !== "function"
            ? "it has no persistSession/restoreSession/close"
            : undefined;
  if (why !== undefined || localBroadcast === undefined) {
    logger.warn(`the socket.io adapter is not the shape echo-socket knows (${why}; another version?): echoes go through it (and Redis) as every emit does`);
    return false;
  }
  const ring = new RecoveryRing(limits);
  const sockets = shared.nsp.sockets;
  const clusterBroadcast = shared.broadcast.bind(shared);
  shared.broadcast = (packet, opts) => {
    const room = opts.rooms.size === 1 && (opts.except === undefined || opts.except.size === 0) ? opts.rooms.values().next().value! : undefined;
    // One socket, on this node (or dropped from it, its session kept here): nowhere else to deliver it,
    // nothing for Redis to keep.
    if (room === undefined || !(sockets.has(room) || ring.holdsSessionOf(room))) return clusterBroadcast(packet, opts);
    ring.keepEmitted(packet, opts);
    localBroadcast.call(shared, packet, opts);
  };
  // Called for each cluster-path packet before it is delivered here (this node's own broadcasts and the
  // other nodes'): the ring keeps those that got an offset, in the order they are delivered.
  const addOffset = shared.addOffsetIfNecessary.bind(shared);
  shared.addOffsetIfNecessary = (packet, opts, offset) => {
    const before = packet.data.length;
    addOffset(packet, opts, offset);
    if (packet.data.length > before) ring.keepDelivered(packet.data, opts);
  };
  const persist = shared.persistSession.bind(shared);
  shared.persistSession = (session) => {
    ring.persistSession(session);
    persist(session); // the adapter's, as before: an offset of its own (a stream id) restores elsewhere with it
  };
  const restore = shared.restoreSession.bind(shared);
  shared.restoreSession = (pid, offset) => (ring.owns(offset) ? ring.restoreSession(pid, offset) : restore(pid, offset));
  const close = shared.close.bind(shared);
  shared.close = () => {
    ring.close();
    return close();
  };
  shared.echoRecovery = ring;
  return true;
}

type Broadcast = (this: unknown, packet: EmittedPacket, opts: BroadcastOptions) => void;

/**
 * socket.io-adapter's in-memory `Adapter.prototype.broadcast` (writes to this node's sockets), found
 * as the parent of the prototype that defines `addOffsetIfNecessary` (ClusterAdapter's): the copy of
 * socket.io-adapter the shared adapter itself extends.
 */
function inMemoryBroadcast(adapter: object): Broadcast | undefined {
  for (let proto = Object.getPrototypeOf(adapter); proto !== null && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    if (!Object.hasOwn(proto, "addOffsetIfNecessary")) continue;
    const base = Object.getPrototypeOf(proto) as Record<string, unknown> | null;
    const ok = base !== null && Object.hasOwn(base, "broadcast") && Object.hasOwn(base, "apply") && Object.hasOwn(base, "addSockets");
    return ok ? (base.broadcast as Broadcast) : undefined;
  }
  return undefined;
}
