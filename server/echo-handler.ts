import type { Socket } from "socket.io";
import type { ResolvedAttachOptions } from "./attach-options.js";
import type { DedupStore } from "./dedup.js";
import { deliveryId, READY_EVENT, READY_PAYLOAD } from "./delivery.js";
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

/**
 * Answers every `receiveEvent` from `socket` with `replyEvent`, to the sender only, carrying the
 * very arguments received (socket.io restores binary parts). Returns a function that removes it.
 */
export function registerEchoHandler(
  socket: Socket,
  options: ResolvedAttachOptions,
  stats: StatsCounter,
  dedup: DedupStore,
  address: string,
): () => void {
  const { receiveEvent, replyEvent, logMessages, logger } = options;
  const onMessage = (...args: unknown[]): void => {
    const ack = typeof args[args.length - 1] === "function" ? (args.pop() as (reply: EchoAck) => void) : undefined;
    if (logMessages) (logger.debug ?? logger.info).call(logger, `message from ${address}`, ...args);
    const id = deliveryId(args);
    const duplicate = id !== undefined && dedup.seenBefore(id);
    // A duplicate is echoed again: the first echo may be what was lost. The client shows each id once.
    socket.emit(replyEvent, ...args);
    if (duplicate) stats.deduplicated++;
    else stats.echoes++;
    if (!ack) return;
    if (id !== undefined) stats.acked++;
    ack(id === undefined ? PLAIN_ACK : duplicate ? { ok: true, id, duplicate } : { ok: true, id });
  };
  socket.on(receiveEvent, onMessage);
  socket.emit(READY_EVENT, READY_PAYLOAD);
  return () => socket.off(receiveEvent, onMessage);
}
