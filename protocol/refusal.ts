/** Every reason a message or connection is refused: the one list (see `RefusalCode`). */
export const REFUSAL_CODES = Object.freeze([
  "message_too_large",
  "payload_too_deep",
  "rate_limited",
  "slow_consumer",
  "shutting_down",
  "too_many_violations",
] as const);

/** Why a message or connection was refused. Machine-readable; `message` says it to a person. */
export type RefusalCode = (typeof REFUSAL_CODES)[number];

/** The refusals of a message's size: too many bytes, or nested too deep. */
export type PayloadRefusalCode = Extract<RefusalCode, "message_too_large" | "payload_too_deep">;

/** The refusal of a connection: sent on `ERROR_EVENT`, then the server disconnects. */
export const CONNECTION_REFUSAL: RefusalCode = "too_many_violations";

/** The refusal a client answers by waiting for its next connection rather than a delay (the server is going away). */
export const SHUTDOWN_REFUSAL: RefusalCode = "shutting_down";

/** Refusals that pass with time or a reconnect: a client holds the message and sends it again. */
export const TRANSIENT_REFUSALS: readonly RefusalCode[] = Object.freeze(["rate_limited", "slow_consumer", "shutting_down"]);

/** Whether a refusal with `code` passes with time (any other code, or none, fails the message). */
export function isTransientRefusal(code: unknown): boolean {
  return (TRANSIENT_REFUSALS as readonly unknown[]).includes(code);
}

export interface RefusalError {
  code: RefusalCode;
  /** A sentence for a person. */
  message: string;
  /** When to try again, for limits that pass with time. */
  retryAfterMs?: number;
  /** The refused message's id, when it carried one. */
  id?: string;
}

/** A negative acknowledgement, the counterpart of `{ ok: true }`. */
export interface Refusal {
  ok: false;
  error: RefusalError;
}

/** The acknowledgement of an echoed message. */
export interface EchoAck {
  ok: true;
  /** The message's id, when it carried one. */
  id?: string;
  /** True when that id was echoed before (a re-send): echoed again, counted once. */
  duplicate?: boolean;
}

/** What an echo-socket server answers a message that asked for an acknowledgement. */
export type AckReply = EchoAck | Refusal;
