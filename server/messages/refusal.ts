import type { Refusal, RefusalCode, RefusalError } from "../../protocol/index.js";

export type { Refusal, RefusalCode, RefusalError } from "../../protocol/index.js";

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
