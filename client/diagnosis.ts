/**
 * Why a connection failed (or uses long-polling), in words: the classification of what socket.io
 * reports, shared by `EchoClient` (the `status` event's `diagnosis`) and `<echo-socket>` (its status
 * line, its notice and the `echo-socket-status` event). Pure: `diagnose()` takes plain facts.
 */

import { cap } from "./cap.js";

/** Every diagnosis, by code: `[message, hint]`, in English (the element's `diagnosis-labels` replaces them). */
export const DIAGNOSES = {
  unreachable: ["Cannot reach the server", "Is it running, at this URL and port?"],
  blocked: ["Refused without CORS headers", "Is this page's origin allowed (403), the path right (404)?"],
  timeout: ["No answer in time", "A proxy or a busy server stalled the handshake."],
  forbidden: ["Refused (HTTP 403)", "Is this page's origin allowed, or a connection cap reached?"],
  not_found: ["Nothing at this path (HTTP 404)", "Set path to the server's socket.io path."],
  session_unknown: ["Session ID unknown (HTTP 400)", "The load balancer needs sticky sessions."],
  http_error: ["HTTP error", "The server or a proxy refused the handshake."],
  websocket_blocked: ["WebSocket blocked: long-polling", "A proxy or antivirus closed it, or dropped its Upgrade header."],
  rejected: ["Rejected by the server", "Authentication, or an unknown namespace?"],
  refused: ["Closed by the server", "It refused what was sent."],
} as const satisfies Record<string, readonly [string, string]>;

/** A diagnosis's code: one of `DIAGNOSES`. */
export type DiagnosisCode = keyof typeof DIAGNOSES;

/** Why the connection failed, or why it uses long-polling; the same for code and for people. */
export interface Diagnosis {
  code: DiagnosisCode;
  /** Where: the server's origin and socket.io path, e.g. `"http://127.0.0.1:3000/socket.io"`. */
  target: string;
  /** What happened, in words. */
  message: string;
  /** What to check. */
  hint: string;
  /** The HTTP status of the failed handshake, when the browser could read one. */
  status?: number;
  /** The server's own words or code (`"origin not allowed"`, `"too_many_violations"`), when it gave them. */
  detail?: string;
}

/** What is known of a failure, as plain data (see `failureFacts()`). */
export interface FailureFacts {
  /** socket.io's error message: `"xhr poll error"`, `"websocket error"`, `"timeout"`, or the server's text. */
  message: string;
  /** The HTTP status of the failed polling request (0: no answer the page may read). */
  status?: number;
  /** Its body, when readable. */
  body?: string;
  /** The error is a transport's (engine.io's `TransportError`), not the server's or a timeout. */
  transport?: boolean;
  /** A no-cors request reached the server (so a status 0 is a hidden answer, not silence). */
  reachable?: boolean;
  /** A WebSocket opened and closed before the engine.io handshake. */
  websocketClosed?: boolean;
  /** A refusal the server sent before closing the connection. */
  refusal?: { code?: unknown; message?: unknown };
}

/** Classifies `facts` about a failed connection to `target`. */
export function diagnose(facts: FailureFacts, target: string): Diagnosis {
  const { status, body = "", refusal } = facts;
  const code: DiagnosisCode = refusal
    ? "refused"
    : facts.websocketClosed
      ? "websocket_blocked"
      : facts.message === "timeout"
        ? "timeout"
        : status === 400 && /session id unknown/i.test(body)
          ? "session_unknown"
          : status === 403
            ? "forbidden"
            : status === 404
              ? "not_found"
              : status
                ? "http_error"
                : facts.transport
                  ? facts.reachable
                    ? "blocked"
                    : "unreachable"
                  : "rejected";
  // The server's own words: a refusal's code and sentence, a rejection's message, an HTTP answer's JSON `message`.
  const detail = refusal
    ? [refusal.code, refusal.message].filter((part) => typeof part === "string").join(": ")
    : code === "rejected"
      ? facts.message
      : (/"message":"([^"]{1,200})"/.exec(body)?.[1] ?? (status ? `HTTP ${status}` : ""));
  const [message, hint] = DIAGNOSES[code];
  const diagnosis: Diagnosis = { code, target, message, hint };
  if (status) diagnosis.status = status;
  if (detail) diagnosis.detail = cap(detail);
  return diagnosis;
}

/** The facts in socket.io's `connect_error` (or a `disconnect`'s description): its message, and the transport's HTTP status and body. */
export function failureFacts(error: unknown): FailureFacts {
  const {
    message = String(error),
    description,
    context,
    type,
    websocketClosed,
  } = (error ?? {}) as {
    message?: string;
    description?: unknown;
    context?: { responseText?: unknown };
    type?: unknown;
    websocketClosed?: boolean;
  };
  return {
    message,
    transport: type === "TransportError",
    websocketClosed,
    // The HTTP status of a failed polling request, and its body: readable when the answer was (CORS-allowed, or same-origin).
    status: typeof description === "number" ? description : undefined,
    body: typeof context?.responseText === "string" ? context.responseText.slice(0, 500) : undefined,
  };
}
