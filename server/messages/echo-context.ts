import type { ResolvedAttachOptions } from "../options/attach-options.js";
import type { ListenerFailed } from "../logging/listener-errors.js";
import type { StatsCounter } from "../state/stats.js";
import type { EchoStore } from "../state/store.js";
import type { Socket } from "socket.io";
import type { MessageGuard } from "./message-guard.js";
import type { ConnectionGuards } from "./register-connection-guards.js";

/** What the echo handler (and its fast path) share with the rest of the channel. */
export interface EchoContext {
  options: ResolvedAttachOptions;
  stats: StatsCounter;
  /** De-duplication and per-address limits: this process's memory, or shared by every node. */
  store: EchoStore;
  /** True once `close()` began: messages are refused so clients re-send them after reconnecting. */
  isShuttingDown(): boolean;
  /** Every live connection's guard, so `close()` can wait for queued echoes to go out. */
  guards: Set<MessageGuard>;
  /** True when echo-socket made the server without connection state recovery: emits skip the adapter. */
  directEmits: boolean;
  /**
   * True when echo-socket's guard wraps the namespace's shared adapter: it sends node-locally itself while
   * Redis is unreachable, after what it held for Redis (in order), so emits always go through it.
   */
  adapterSendsLocally: boolean;
  /** The guard on each engine.io connection: it offers the session's fast path each text packet first. */
  connections: ConnectionGuards;
  /** The channel's fast path (fast-path.ts), when its sockets can have one (set once, after the context is made). */
  fastEcho: FastEchoPath | undefined;
  /** Each echo socket's session (its `receiveEvent` listener, shared by all sockets, finds it here). */
  sessions: Map<Socket, { dispose(): void }>;
  /** Counts and logs what a listener threw (it must not escape into socket.io: that would end the process). */
  failed: ListenerFailed;
}

/** The fast path as the echo session uses it: the reply packet to `text`, or undefined for socket.io's path. */
export interface FastEchoPath {
  echo(socket: Socket, session: { guardOf(): MessageGuard; readonly idle: boolean }, text: string): string | undefined;
}
