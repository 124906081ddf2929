import type { Socket } from "socket.io";
import { deliveryId, ERROR_EVENT, READY_EVENT, READY_PAYLOAD, type EchoAck, type Refusal } from "../../protocol/index.js";
import type { EchoContext } from "./echo-context.js";
import type { ConnectionGuard, GuardedSession } from "./register-connection-guards.js";
import { MessageGuard } from "./message-guard.js";
import { refusal } from "./refusal.js";

const PLAIN_ACK: Readonly<EchoAck> = Object.freeze({ ok: true });

/**
 * Answers every `receiveEvent` from `socket` with `replyEvent`, to the sender only, carrying the
 * very arguments received (socket.io restores binary parts), after the message guard's checks.
 * `dispose()` removes it.
 */
export function registerEchoHandler(socket: Socket, context: EchoContext, address: string): { dispose(): void } {
  return new EchoSession(socket, context, address);
}

/**
 * One socket's echo. A class, not a handful of closures: per-connection memory is measured, and
 * one object with one bound listener is the smallest shape for it.
 */
class EchoSession implements GuardedSession {
  /** Made on the first message: an idle connection costs no guard. */
  private guard: MessageGuard | undefined;
  /** The guard of this socket's connection, which hands this session its packets first. */
  private readonly connection: ConnectionGuard | undefined;
  /**
   * Set while a message waits on the store (Redis answers asynchronously): later messages queue
   * behind it, so echoes keep the order messages came in.
   */
  private waiting: Promise<void> | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly context: EchoContext,
    private readonly address: string,
  ) {
    socket.on(context.options.receiveEvent, messageListenerOf(context));
    const connection = context.fastEcho && context.connections.of(socket.conn);
    // One echo session per connection: socket.io lets a connection join a namespace once at a time.
    this.connection = connection && !connection.session ? connection : undefined;
    if (this.connection) this.connection.session = this;
    this.send(READY_EVENT, [READY_PAYLOAD]);
  }

  /**
   * Emits to this socket. While shared state is unreachable, a shared adapter would hold the packet
   * until Redis returns: it goes from this node only then (no recovery offset; the element re-sends).
   */
  private send(event: string, args: readonly unknown[]): void {
    if (this.context.adapterSendsLocally || this.context.store.reachable) this.socket.emit(event, ...args);
    else this.socket.nsp.local.to(this.socket.id).emit(event, ...args);
  }

  dispose(): void {
    this.socket.off(this.context.options.receiveEvent, messageListenerOf(this.context));
    if (this.connection?.session === this) this.connection.session = undefined;
    if (this.guard) {
      this.guard.dispose();
      this.context.guards.delete(this.guard);
    }
  }

  /** This socket's guard (the fast path asks it too). */
  guardOf(): MessageGuard {
    if (!this.guard) {
      this.guard = new MessageGuard(this.socket, this.context.options);
      this.context.guards.add(this.guard);
    }
    return this.guard;
  }

  tryFastEcho(text: string): string | undefined {
    return this.context.fastEcho?.echo(this.socket, this, text);
  }

  /** True while no message waits on the store: the fast path may answer the next one itself. */
  get idle(): boolean {
    return this.waiting === undefined;
  }

  /** socket.io's path: a `receiveEvent` with its arguments (an acknowledgement last, if asked for). */
  onMessage(args: unknown[]): void {
    try {
      const ack = typeof args[args.length - 1] === "function" ? (args.pop() as (reply: EchoAck | Refusal) => void) : undefined;
      if (this.waiting) {
        this.queue(() => this.receive(args, ack));
        return;
      }
      const pending = this.receive(args, ack);
      if (pending) this.queue(() => pending);
    } catch (error) {
      this.context.failed(`the echo for ${this.address} (connection closed)`, error);
      this.socket.disconnect(true);
    }
  }

  /** Runs `step` after the messages already waiting; clears `waiting` when the queue drains. */
  private queue(step: () => Promise<void> | void): void {
    const tail: Promise<void> = (this.waiting ?? Promise.resolve())
      .then(step)
      // A store of the user's own may throw: the message is lost, the queue must still move on.
      .catch((error: unknown) => this.context.options.logger.error(`echo for ${this.address} failed:`, error))
      .then(() => {
        if (this.waiting === tail) this.waiting = undefined;
      });
    this.waiting = tail;
  }

  /** Checks and echoes one message; returns a promise only when the store answers asynchronously. */
  private receive(args: unknown[], ack: ((reply: EchoAck | Refusal) => void) | undefined): Promise<void> | void {
    const { options, store } = this.context;
    const id = deliveryId(args);
    const refused = this.context.isShuttingDown() ? refusal("shutting_down", undefined) : this.guardOf().check(args);
    if (refused) return this.refuse(refused, id, ack);
    const limiter = store.addressLimiter;
    if (limiter) {
      // rate-limiter-flexible rejects with the allowance's state when it is used up.
      return limiter.consume(this.address).then(
        () => this.deduplicate(args, ack, id),
        (state: { msBeforeNext?: number } | Error) => {
          if (state instanceof Error) return this.deduplicate(args, ack, id); // no store at all: fail open
          const retryAfterMs = Math.max(1, Math.ceil(state.msBeforeNext ?? 1000));
          this.refuse(this.guardOf().violation(refusal("rate_limited", options.messagesPerSecondPerAddress, { retryAfterMs })), id, ack);
        },
      );
    }
    return this.deduplicate(args, ack, id);
  }

  private deduplicate(args: unknown[], ack: ((reply: EchoAck | Refusal) => void) | undefined, id: string | undefined): Promise<void> | void {
    if (id === undefined) return this.echo(args, ack, id, false);
    const duplicate = this.context.store.seenBefore(id);
    if (typeof duplicate === "boolean") return this.echo(args, ack, id, duplicate);
    return duplicate.then((seen) => this.echo(args, ack, id, seen));
  }

  private echo(args: unknown[], ack: ((reply: EchoAck | Refusal) => void) | undefined, id: string | undefined, duplicate: boolean): void {
    const { options, stats } = this.context;
    if (options.logMessages) (options.logger.debug ?? options.logger.info).call(options.logger, `message from ${this.address}`, ...args);
    // A duplicate is echoed again: the first echo may be what was lost. The client shows each id once.
    try {
      this.send(options.replyEvent, args);
    } catch {
      // socket.io's encoder recurses over payloads; the depth guard stops that, this stops anything it missed.
      return this.refuse(refusal("payload_too_deep", options.maxNestingDepth), id, ack);
    }
    if (duplicate) stats.deduplicated++;
    else stats.echoes++;
    if (!ack) return;
    if (id !== undefined) stats.acked++;
    ack(id === undefined ? PLAIN_ACK : duplicate ? { ok: true, id, duplicate } : { ok: true, id });
  }

  /** Tells the client: as the acknowledgement it asked for, else as an error event; closes a persistent offender. */
  private refuse(refused: Refusal, id: string | undefined, ack: ((reply: Refusal) => void) | undefined): void {
    const { socket } = this;
    this.context.stats.refused++;
    this.context.stats.refusedByCode[refused.error.code]++;
    if (id !== undefined) refused.error.id = id;
    if (ack) ack(refused);
    else this.send(ERROR_EVENT, [refused.error]);
    if (this.guardOf().persistent && socket.connected) {
      this.context.options.logger.warn(`client ${this.address} closed: kept exceeding limits (last: ${refused.error.code})`);
      this.context.stats.refusedByCode.too_many_violations++;
      this.send(ERROR_EVENT, [refusal("too_many_violations", undefined).error]);
      socket.disconnect(true);
      dropIfStalled(socket.conn);
    }
  }
}

/** One `receiveEvent` listener per channel, shared by its sockets (socket.io calls it with the socket as `this`). */
const messageListeners = new WeakMap<EchoContext, (this: Socket, ...args: unknown[]) => void>();

function messageListenerOf(context: EchoContext): (this: Socket, ...args: unknown[]) => void {
  let listener = messageListeners.get(context);
  if (!listener) {
    listener = function onEchoMessage(this: Socket, ...args: unknown[]): void {
      (context.sessions.get(this) as EchoSession | undefined)?.onMessage(args);
    };
    messageListeners.set(context, listener);
  }
  return listener;
}

/**
 * How long a connection closed for violations has to take what it was sent (the refusals saying why)
 * before it is let go regardless: engine.io waits for the client to read it all, and `ws` for its close
 * handshake, so a client that does not read held its unsent echoes (up to maxBufferedBytes) until the
 * ping timeout, 45 s by default. A client that reads is closed long before.
 */
const STALLED_CLOSE_MS = 1000;

interface ClosingConnection {
  readonly readyState: string;
  once(event: "close", listener: () => void): unknown;
  close?(discard: boolean): void;
  transport?: { socket?: { terminate?(): void } };
}

function dropIfStalled(conn: unknown): void {
  const closing = conn as ClosingConnection;
  if (closing.readyState === "closed") return;
  const timer = setTimeout(dropNow, STALLED_CLOSE_MS, closing);
  timer.unref();
  closing.once("close", () => clearTimeout(timer));
}

/** Closes an engine.io connection without waiting for the client to read what it holds (discard, then the socket). */
function dropNow(conn: ClosingConnection): void {
  if (conn.readyState === "closed") return;
  const webSocket = conn.transport?.socket;
  conn.close?.(true);
  if (typeof webSocket?.terminate === "function") webSocket.terminate();
}
