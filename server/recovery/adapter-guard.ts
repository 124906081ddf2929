import type { ServerOptions } from "socket.io";
import { heapBytes } from "../messages/payload-size.js";

type AdapterOption = NonNullable<ServerOptions["adapter"]>;

/** The members of a shared adapter (socket.io-adapter's ClusterAdapter and its subclasses) the guard wraps. */
interface SharedAdapter {
  persistSession(session: unknown): void;
  restoreSession(pid: string, offset: string): Promise<unknown> | unknown;
  publishAndReturnOffset?(message: PublishedMessage): Promise<string>;
  serverSideEmit(packet: unknown[]): Promise<unknown> | unknown;
  close(): Promise<void> | void;
  /** Bytes of echoes to socket `id` the adapter holds, not yet written to the connection (read by the message guard). */
  heldBytes?(id: string): number;
  /** Errors of the shared backend the guard caught (socket.io calls the adapter without catching). */
  caughtErrors?: number;
}

interface PublishedMessage {
  type: number;
  data?: { packet?: { data?: unknown[] }; opts?: { rooms?: string[] } };
}

/** socket-io-adapter's MessageType.BROADCAST: an emit waits on Redis for its offset before it is written. */
const BROADCAST = 3;
/** How often held emits look whether the store has found Redis unreachable meanwhile. */
const RECHECK_MS = 25;

/**
 * Wraps a shared adapter (Redis Streams) so that Redis going slow is like Redis going away. While the
 * store finds Redis unreachable (lost, or stalled past its `commandTimeoutMs`): an emit is written at
 * once from this node (no recovery offset; the element re-sends what it misses), a session lookup
 * fails at once (a fresh session), a session is not saved, a cluster request answers with this node
 * alone. An emit already waiting on Redis when the store finds it stalled is written then. Promises
 * socket.io leaves uncaught are caught here and counted in `caughtErrors`, so a stall never crashes
 * the node; bytes held for each socket are in `heldBytes(id)`. Its `close()` rejects what still waits
 * on Redis and stops the guard's timer.
 */
export function failFastRecovery(adapter: AdapterOption, reachable: () => boolean): AdapterOption {
  // socket.io calls `new adapter(nsp)`: a class, or a factory function that returns the instance.
  const Adapter = adapter as unknown as new (nsp: unknown) => SharedAdapter;
  return function echoSocketAdapter(nsp: unknown) {
    const instance = new Adapter(nsp);
    guard(instance, reachable);
    return instance;
  } as unknown as AdapterOption;
}

function guard(instance: SharedAdapter, isReachable: () => boolean): void {
  const held = new Map<string, number>();
  /** Sockets an emit was given up for while it waited on Redis: their sessions are not saved once. */
  const gaveUp = new Set<string>();
  /** Each waiting call's check; `force` (the adapter closing) gives it up whatever Redis does. */
  const waiting = new Set<(force?: boolean) => void>();
  let recheck: ReturnType<typeof setInterval> | undefined;
  let closed = false;
  // Once closed, nothing waits on Redis (and no timer starts again).
  const reachable = (): boolean => !closed && isReachable();
  instance.caughtErrors = 0;
  const caught = (): void => void instance.caughtErrors!++;
  instance.heldBytes = (id) => held.get(id) ?? 0;

  /** `work`, or a rejection as soon as the store finds Redis unreachable; `work`'s own failure is counted. */
  const untilUnreachable = <T>(work: Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const giveUp = (force = false): void => {
        if (force || !reachable()) settle(() => reject(new Error(force ? "adapter closed" : "shared store unreachable")));
      };
      const settle = (finish: () => void): void => {
        if (!waiting.delete(giveUp)) return;
        if (waiting.size === 0) recheck = void clearInterval(recheck);
        finish();
      };
      waiting.add(giveUp);
      recheck ??= setInterval(() => waiting.forEach((check) => check()), RECHECK_MS).unref();
      if (closed) giveUp(true); // closed before this call: give up at once
      work.then(
        (value) => settle(() => resolve(value)),
        (error: unknown) => {
          caught();
          settle(() => reject(error));
        },
      );
    });

  const publish = instance.publishAndReturnOffset?.bind(instance);
  if (publish) {
    instance.publishAndReturnOffset = (message) => {
      if (!reachable()) {
        // Emits held for Redis go out first, in the order they came: this one must not overtake them.
        for (const giveUp of [...waiting]) giveUp();
        return Promise.reject(new Error("shared store unreachable")); // the adapter then emits locally
      }
      const rooms = message.type === BROADCAST ? (message.data?.opts?.rooms ?? []) : [];
      const bytes = rooms.length > 0 ? heapBytes(message.data?.packet?.data ?? []) : 0;
      for (const room of rooms) held.set(room, (held.get(room) ?? 0) + bytes);
      const release = (): void => {
        for (const room of rooms) {
          const left = (held.get(room) ?? 0) - bytes;
          if (left > 0) held.set(room, left);
          else held.delete(room);
        }
      };
      const published = untilUnreachable(publish(message));
      published.then(release, () => {
        release();
        // Given up here, the XADD may still land when Redis returns, after the echo went out locally:
        // a session restored past it would get that echo twice, so these sessions start afresh.
        for (const room of rooms) gaveUp.add(room);
      });
      return published;
    };
  }

  const restore = instance.restoreSession.bind(instance);
  instance.restoreSession = (pid, offset) => (reachable() ? untilUnreachable(Promise.resolve(restore(pid, offset))).catch(() => null) : Promise.resolve(null));

  const persist = instance.persistSession.bind(instance);
  instance.persistSession = (session) => {
    const sid = (session as { sid?: string }).sid;
    if (sid !== undefined && gaveUp.delete(sid)) return; // see `gaveUp`
    if (!reachable()) return; // Redis would only hold the write; the client starts a fresh session and re-sends
    try {
      persist(session);
    } catch {
      caught();
    }
  };

  // socket.io's `namespace.serverSideEmit()` drops the promise; with an ack, the adapter first asks Redis for the node count.
  const serverSideEmit = instance.serverSideEmit.bind(instance);
  instance.serverSideEmit = (packet) => {
    const ack = packet[packet.length - 1];
    if (!reachable()) {
      if (typeof ack === "function") ack(new Error("shared store unreachable"), []);
      return Promise.resolve();
    }
    return Promise.resolve()
      .then(() => serverSideEmit(packet))
      .catch(caught);
  };
  const close = instance.close.bind(instance);
  instance.close = () => {
    closed = true;
    gaveUp.clear();
    for (const giveUp of [...waiting]) giveUp(true); // the last one clears `recheck`
    recheck = void clearInterval(recheck);
    return close();
  };
}
