/** The event a refusal goes out on when the client did not ask for an acknowledgement. */
export const ERROR_EVENT = "echo-socket:error";

/** Why a message or connection was refused. Machine-readable; `message` says it to a person. */
export type RefusalCode =
  | "message_too_large"
  | "payload_too_deep"
  | "rate_limited"
  | "slow_consumer"
  | "shutting_down"
  | "too_many_violations";

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

const SENTENCES: Record<RefusalCode, string> = {
  message_too_large: "This message is larger than the server accepts ({limit} bytes).",
  payload_too_deep: "This message is nested deeper than the server accepts ({limit} levels).",
  rate_limited: "Too many messages too fast: the server accepts {limit} a second. Wait a moment and it goes through.",
  slow_consumer: "The server is waiting for this connection to read its earlier echoes; try again shortly.",
  shutting_down: "The server is shutting down; the message will be sent again after reconnecting.",
  too_many_violations: "This connection kept exceeding the server's limits and is being closed.",
};

export function refusal(code: RefusalCode, limit: number | undefined, extra: Partial<RefusalError> = {}): Refusal {
  const message = SENTENCES[code].replace("{limit}", String(limit));
  return { ok: false, error: { code, message, ...extra } };
}
