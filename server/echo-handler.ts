import type { Socket } from "socket.io";
import type { ResolvedAttachOptions } from "./attach-options.js";
import type { StatsCounter } from "./stats.js";

/** What an acknowledgement carries back when the client asked for one. */
export interface EchoAck {
  ok: true;
}

const ACK: Readonly<EchoAck> = Object.freeze({ ok: true });

/**
 * Answers every `receiveEvent` from `socket` with `replyEvent`, to the sender only, carrying the
 * very arguments received (socket.io restores binary parts). Returns a function that removes it.
 */
export function registerEchoHandler(
  socket: Socket,
  options: ResolvedAttachOptions,
  stats: StatsCounter,
  address: string,
): () => void {
  const { receiveEvent, replyEvent, logMessages, logger } = options;
  const onMessage = (...args: unknown[]): void => {
    const ack = typeof args[args.length - 1] === "function" ? (args.pop() as (reply: EchoAck) => void) : undefined;
    if (logMessages) (logger.debug ?? logger.info).call(logger, `message from ${address}`, ...args);
    socket.emit(replyEvent, ...args);
    stats.echoes++;
    ack?.(ACK);
  };
  socket.on(receiveEvent, onMessage);
  return () => socket.off(receiveEvent, onMessage);
}
