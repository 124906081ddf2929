// A failed network step, described well enough for a verdict to name the cause.
import type { EngineError } from "./engine-io.js";

export type Step = "dns" | "tcp" | "tls" | "http" | "websocket" | "protocol";

export type FailureKind =
  | "timeout" // no answer within the step's time
  | "refused" // ECONNREFUSED: nothing listens
  | "not-found" // DNS has no address
  | "tls" // TLS handshake or certificate
  | "status" // an HTTP status other than the one expected
  | "reset" // the peer closed the connection mid-step
  | "closed" // a WebSocket (or session) closed
  | "malformed" // an answer that is not engine.io / socket.io
  | "budget" // the run's overall bound was reached
  | "error"; // anything else

export interface StepFailure {
  step: Step;
  kind: FailureKind;
  /** One line for a person. */
  message: string;
  /** The system error code (ECONNREFUSED, CERT_HAS_EXPIRED, ...), when there is one. */
  code?: string;
  status?: number;
  /** engine.io's JSON error, when the body held one. */
  engineError?: EngineError;
  /** The start of the body, for statuses that carry no engine.io error. */
  body?: string;
}

/** Thrown by the network helpers: the check that ran the step reads `failure`. */
export class StepError extends Error {
  constructor(readonly failure: StepFailure) {
    super(failure.message);
  }
}

export function failureOf(error: unknown, step: Step): StepFailure {
  if (error instanceof StepError) return error.failure;
  return classifyError(step, error);
}

const RESET_CODES = new Set(["ECONNRESET", "EPIPE", "ECONNABORTED", "UND_ERR_SOCKET"]);
const DNS_CODES = new Set(["ENOTFOUND", "EAI_AGAIN", "EAI_FAIL", "EAI_NONAME", "ENODATA"]);

/** A Node network error as a step failure. */
export function classifyError(step: Step, error: unknown): StepFailure {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const text = error instanceof Error ? error.message : String(error);
  if (code === "ECONNREFUSED") return { step, kind: "refused", code, message: `connection refused (${code})` };
  if (code && DNS_CODES.has(code)) return { step, kind: "not-found", code, message: `no address for the host (${code})` };
  if (code && RESET_CODES.has(code)) return { step, kind: "reset", code, message: `the connection was closed (${code})` };
  if (text === "socket hang up") return { step, kind: "reset", code, message: "the connection was closed before an answer (socket hang up)" };
  if (code && (code.startsWith("ERR_TLS") || code.startsWith("ERR_SSL") || /CERT|SELF_SIGNED|UNABLE_TO|HOSTNAME|EPROTO/.test(code))) {
    return { step: step === "tcp" ? "tls" : step, kind: "tls", code, message: `${text} (${code})` };
  }
  return { step, kind: "error", code, message: code ? `${text} (${code})` : text };
}

export function timeoutFailure(step: Step, what: string, ms: number): StepFailure {
  return { step, kind: "timeout", message: `${what}: no answer within ${seconds(ms)}` };
}

/** `1500` → `"1.5 s"`, `200` → `"0.2 s"`. */
export function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(ms < 1000 ? 2 : 1))} s`;
}
