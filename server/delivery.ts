/**
 * The delivery envelope: `<echo-socket>` sends `emit(receiveEvent, data, { echoSocketId })` and the
 * server echoes every argument back, so the id returns with the echo. Plain clients never send one.
 */
export const DELIVERY_KEY = "echoSocketId";

const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** The message id in `args`' last argument, if it is a well-formed envelope; otherwise undefined. */
export function deliveryId(args: readonly unknown[]): string | undefined {
  const last = args[args.length - 1];
  if (typeof last !== "object" || last === null || Array.isArray(last)) return undefined;
  const id = (last as Record<string, unknown>)[DELIVERY_KEY];
  return typeof id === "string" && ID_PATTERN.test(id) ? id : undefined;
}

/**
 * Sent to each client on connect: tells `<echo-socket>` this server echoes ids and de-duplicates, so
 * re-sending after a timeout is safe; and gives socket.io's recovery an offset from the first moment.
 * Pages that do not listen for it (like the tutorial's) never notice it.
 */
export const READY_EVENT = "echo-socket:ready";

export interface ReadyPayload {
  /** The delivery protocol's version. */
  delivery: 1;
}

export const READY_PAYLOAD: Readonly<ReadyPayload> = Object.freeze({ delivery: 1 });
