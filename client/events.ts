import type { RefusalError } from "../protocol/index.js";
import type { ConnectionError, ConnectionStatus } from "./connection.js";
import type { Diagnosis } from "./diagnosis.js";
import type { MessageEntry, MessageState } from "./message-log.js";

/** `"status"`: the connection changed state. */
export interface StatusEvent {
  status: ConnectionStatus;
  /** `"websocket"` or `"polling"` while connected, otherwise `undefined`. */
  transport: string | undefined;
  /** What socket.io's `connect_error` said, when this change came from one. */
  error?: ConnectionError;
  /**
   * Why the last attempt failed (kept while reconnecting: unreachable, HTTP 403, 404, "Session ID
   * unknown", ...), or while connected why the transport is long-polling; absent when all is well.
   */
  diagnosis?: Diagnosis;
}

/** `"entry"`: an entry changed state (or was made: `previous` undefined). */
export interface EntryEvent {
  entry: MessageEntry;
  previous: MessageState | undefined;
}

/** `"echo"`: an echo arrived (once per message id: a second echo of one is ignored). */
export interface EchoEvent {
  /** The message it answers; for an echo of nothing sent here, a new `received` entry. */
  entry?: MessageEntry;
  /** The echo's first argument. */
  data: unknown;
  /** Every argument of the echo, less the delivery envelope and what socket.io appends after it. */
  args: unknown[];
  /** Round-trip time in ms, for an echo of a message sent here. */
  rtt: number | undefined;
}

/** `"notice"`: something to tell a person; `message` undefined clears it (sending resumed). */
export interface NoticeEvent {
  message: string | undefined;
  /** Set when the notice is that stored messages were dropped on restore: how many, and the queue's size. */
  dropped?: { count: number; max: number };
}

/** `"refusal"`: the server refused a message. `transient`: it waits and goes again; otherwise it failed. */
export interface RefusalEvent {
  entry: MessageEntry;
  error: RefusalError;
  transient: boolean;
}

/** Every event of `EchoClient`, by name. */
export interface EchoClientEventMap {
  status: StatusEvent;
  entry: EntryEvent;
  echo: EchoEvent;
  notice: NoticeEvent;
  refusal: RefusalEvent;
  /** The server acknowledged a transmission of `entry`: `entry.reply` is what it answered. */
  reply: { entry: MessageEntry };
  /** The server announced that it echoes ids and de-duplicates (an echo-socket server). */
  ready: Record<string, never>;
}

/** How a message ended: echoed, or failed with the reason. */
export type SendOutcome = { state: "echoed"; entry: MessageEntry } | { state: "failed"; entry: MessageEntry; reason: string };

/** What `send()` returns: the message's live entry, and a promise of how it ends (never rejects). */
export interface SendResult {
  entry: MessageEntry;
  outcome: Promise<SendOutcome>;
}
