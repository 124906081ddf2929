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
 * Returns a function that removes it.
 */
export function registerEchoHandler(socket: Socket, context: EchoContext, address: string): () => void {
  const { options, stats, dedup } = context;
  const { receiveEvent, replyEvent, logMessages, logger } = options;
  // Made on the first message: an idle connection costs no guard.
  let created: MessageGuard | undefined;
  const guardOf = (): MessageGuard => {
    if (created) return created;
    created = new MessageGuard(socket, options);
    context.guards.add(created);
    return created;
  };

  /** Tells the client: as the acknowledgement it asked for, else as an error event. */
  const refuse = (refused: Refusal, id: string | undefined, ack: ((reply: Refusal) => void) | undefined): void => {
    stats.refused++;
    if (id !== undefined) refused.error.id = id;
    if (ack) ack(refused);
    else socket.emit(ERROR_EVENT, refused.error);
    if (guardOf().persistent && socket.connected) {
      logger.warn(`client ${address} closed: kept exceeding limits (last: ${refused.error.code})`);
      socket.emit(ERROR_EVENT, refusal("too_many_violations", undefined).error);
      socket.disconnect(true);
    }
  };

  const onMessage = (...args: unknown[]): void => {
    const ack = typeof args[args.length - 1] === "function" ? (args.pop() as (reply: EchoAck | Refusal) => void) : undefined;
    const id = deliveryId(args);
    const refused = context.isShuttingDown() ? refusal("shutting_down", undefined) : guardOf().check(args);
    if (refused) return refuse(refused, id, ack);
    if (logMessages) (logger.debug ?? logger.info).call(logger, `message from ${address}`, ...args);
    const duplicate = id !== undefined && dedup.seenBefore(id);
    // A duplicate is echoed again: the first echo may be what was lost. The client shows each id once.
    try {
      socket.emit(replyEvent, ...args);
    } catch {
      // socket.io's encoder recurses over payloads; the depth guard stops that, this stops anything it missed.
      return refuse(refusal("payload_too_deep", options.maxNestingDepth), id, ack);
    }
    if (duplicate) stats.deduplicated++;
    else stats.echoes++;
    if (!ack) return;
    if (id !== undefined) stats.acked++;
    ack(id === undefined ? PLAIN_ACK : duplicate ? { ok: true, id, duplicate } : { ok: true, id });
  };
  socket.on(receiveEvent, onMessage);
  const removeFastPath = options.fastPath ? installFastPath(socket, context, guardOf) : undefined;
  socket.emit(READY_EVENT, READY_PAYLOAD);
  return () => {
    socket.off(receiveEvent, onMessage);
    removeFastPath?.();
    if (created) {
      created.dispose();
      context.guards.delete(created);
    }
  };
}
