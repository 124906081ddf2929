import type { Socket } from "socket.io";
import type { ResolvedAttachOptions } from "./attach-options.js";
import type { DedupStore } from "./dedup.js";
import { deliveryId, READY_EVENT, READY_PAYLOAD } from "./delivery.js";
import { installFastPath } from "./fast-path.js";
import { MessageGuard } from "./message-guard.js";
import { ERROR_EVENT, refusal, type Refusal } from "./refusal.js";
import type { StatsCounter } from "./stats.js";

/** What an acknowledgement carries back when the client asked for one. */
export interface EchoAck {
  ok: true;
  /** The message id, when the message carried one. */
  id?: string;
  /** True when this id was seen before: the echo is sent again, but the message counts once. */
  duplicate?: boolean;
}

const PLAIN_ACK: Readonly<EchoAck> = Object.freeze({ ok: true });

/** What the echo handler shares with the rest of the channel. */
export interface EchoContext {
  options: ResolvedAttachOptions;
  stats: StatsCounter;
  dedup: DedupStore;
  /** True once `close()` began: messages are refused so clients re-send them after reconnecting. */
  isShuttingDown(): boolean;
  /** Every live connection's guard, so `close()` can wait for queued echoes to go out. */
  guards: Set<MessageGuard>;
}

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
class EchoSession {
  /** Made on the first message: an idle connection costs no guard. */
  private guard: MessageGuard | undefined;
  private readonly removeFastPath: (() => void) | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly context: EchoContext,
    private readonly address: string,
  ) {
    socket.on(context.options.receiveEvent, this.onMessage);
    this.removeFastPath = context.options.fastPath ? installFastPath(socket, context, this) : undefined;
    socket.emit(READY_EVENT, READY_PAYLOAD);
  }

  dispose(): void {
    this.socket.off(this.context.options.receiveEvent, this.onMessage);
    this.removeFastPath?.();
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

  private readonly onMessage = (...args: unknown[]): void => {
    const { options, stats, dedup } = this.context;
    const ack = typeof args[args.length - 1] === "function" ? (args.pop() as (reply: EchoAck | Refusal) => void) : undefined;
    const id = deliveryId(args);
    const refused = this.context.isShuttingDown() ? refusal("shutting_down", undefined) : this.guardOf().check(args);
    if (refused) return this.refuse(refused, id, ack);
    if (options.logMessages) (options.logger.debug ?? options.logger.info).call(options.logger, `message from ${this.address}`, ...args);
    const duplicate = id !== undefined && dedup.seenBefore(id);
    // A duplicate is echoed again: the first echo may be what was lost. The client shows each id once.
    try {
      this.socket.emit(options.replyEvent, ...args);
    } catch {
      // socket.io's encoder recurses over payloads; the depth guard stops that, this stops anything it missed.
      return this.refuse(refusal("payload_too_deep", options.maxNestingDepth), id, ack);
    }
    if (duplicate) stats.deduplicated++;
    else stats.echoes++;
    if (!ack) return;
    if (id !== undefined) stats.acked++;
    ack(id === undefined ? PLAIN_ACK : duplicate ? { ok: true, id, duplicate } : { ok: true, id });
  };

  /** Tells the client: as the acknowledgement it asked for, else as an error event; closes a persistent offender. */
  private refuse(refused: Refusal, id: string | undefined, ack: ((reply: Refusal) => void) | undefined): void {
    const { socket } = this;
    this.context.stats.refused++;
    if (id !== undefined) refused.error.id = id;
    if (ack) ack(refused);
    else socket.emit(ERROR_EVENT, refused.error);
    if (this.guardOf().persistent && socket.connected) {
      this.context.options.logger.warn(`client ${this.address} closed: kept exceeding limits (last: ${refused.error.code})`);
      socket.emit(ERROR_EVENT, refusal("too_many_violations", undefined).error);
      socket.disconnect(true);
    }
  }
}
