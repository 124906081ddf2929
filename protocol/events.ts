/** Where and on which events the tutorial's client and server talk: every default of both halves. */
export const DEFAULT_PATH = "/socket.io";
/** The event a client emits a message on (the tutorial's `ms`). */
export const DEFAULT_SEND_EVENT = "ms";
/** The event the server echoes on (the tutorial's `echo`). */
export const DEFAULT_ECHO_EVENT = "echo";

/**
 * Sent to each client on connect: this server echoes message ids and de-duplicates, so re-sending
 * after a timeout is safe. Pages that do not listen for it (like the tutorial's) never notice it.
 */
export const READY_EVENT = "echo-socket:ready";

/** What `READY_EVENT` carries. */
export interface ReadyPayload {
  /** The delivery protocol's version. */
  delivery: 1;
}

export const READY_PAYLOAD: Readonly<ReadyPayload> = Object.freeze({ delivery: 1 });

/** The event a refusal goes out on when the client did not ask for an acknowledgement. */
export const ERROR_EVENT = "echo-socket:error";

/**
 * Events socket.io itself emits or reserves, and echo-socket's own: a message's or an echo's event
 * of one of these would never work. The one list; server, client, element and CLI import it.
 */
export const RESERVED_EVENTS: readonly string[] = Object.freeze([
  "connect",
  "connect_error",
  "connection",
  "disconnect",
  "disconnecting",
  "error",
  "newListener",
  "removeListener",
  READY_EVENT,
  ERROR_EVENT,
]);
