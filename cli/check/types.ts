// What a check reports, and what the checks share while the run goes on.
import type { OpenPacket } from "./engine-io.js";
import type { Budget } from "./budget.js";
import type { HttpClient, HttpReply } from "./http-client.js";
import type { Target } from "./target.js";

export type Verdict = "pass" | "fail" | "warn" | "skip";

export const CHECK_NAMES = ["reachable", "polling", "upgrade", "websocket", "origin", "heartbeat", "echo", "extras"] as const;
export type CheckName = (typeof CHECK_NAMES)[number];

export type Figures = Record<string, number | string | boolean | string[] | null>;

export interface CheckResult {
  name: CheckName;
  verdict: Verdict;
  /** What was seen, for a person. */
  detail: string;
  /** What to change, for a failure or a warning. */
  fix?: string;
  /** Measured values, for machines. */
  figures?: Figures;
  /** The failure was a timeout: the runner asks whether the server still answers at all. Not printed. */
  timedOut?: boolean;
}

export interface CheckOptions {
  url: string;
  path: string;
  origin?: string;
  send: string;
  reply: string;
  messages: number;
  holdSeconds: number;
  timeoutSeconds: number;
  json: boolean;
}

/** What earlier checks learned, for later ones. */
export interface Facts {
  handshake?: { reply: HttpReply; open?: OpenPacket };
  open?: OpenPacket;
  pollingWorks: boolean;
  /** Long-polling answered "Transport unknown": the server runs WebSocket only. */
  pollingOff: boolean;
  websocketWorks: boolean;
  /** The socket.io CONNECT reply's data (`{ sid, pid? }`), or the CONNECT_ERROR message. */
  connectReply?: Record<string, unknown>;
  connectError?: string;
}

export interface CheckContext {
  target: Target;
  options: CheckOptions;
  budget: Budget;
  http: HttpClient;
  facts: Facts;
}
