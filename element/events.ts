import type { ConnectionStatus } from "../client/connection.js";
import type { Diagnosis } from "../client/diagnosis.js";

/** `detail` of `echo-socket-send`: a message has been handed to the connection (or queued for it). */
export interface EchoSendDetail {
  /** The message's entry id in this element. */
  id: number;
  /** What was sent. */
  data: unknown;
}

/** `detail` of `echo-socket-echo`: an echo came back. */
export interface EchoReceiveDetail {
  /** The id of the sent message this echo answers, or `undefined` for an echo of nothing sent here. */
  id: number | undefined;
  /** The echo's first argument (the tutorial's `data`). */
  data: unknown;
  /** Every argument of the echo, less the delivery envelope and what socket.io appends after it. */
  args: unknown[];
  /** Round-trip time in ms, for an echo of a message sent here. */
  rtt: number | undefined;
}

/** `detail` of `echo-socket-status`: the connection changed state. */
export interface EchoStatusDetail {
  status: ConnectionStatus;
  /** `"websocket"` or `"polling"` while connected, otherwise `undefined`. */
  transport: string | undefined;
  /**
   * Why the connection failed, kept while reconnecting (`code`: `unreachable`, `forbidden`,
   * `not_found`, `session_unknown`, ...; `target`; `message`; `hint`), or why a connection uses
   * long-polling (`websocket_blocked`). Absent when all is well.
   */
  diagnosis?: Diagnosis;
}

export interface EchoSocketEventMap {
  "echo-socket-send": CustomEvent<EchoSendDetail>;
  "echo-socket-echo": CustomEvent<EchoReceiveDetail>;
  "echo-socket-status": CustomEvent<EchoStatusDetail>;
}

/** Dispatches one of the element's events: bubbling and composed, so it crosses shadow roots like a native event. */
export function dispatch<K extends keyof EchoSocketEventMap>(target: EventTarget, type: K, detail: EchoSocketEventMap[K]["detail"]): void {
  target.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
}

declare global {
  interface GlobalEventHandlersEventMap extends EchoSocketEventMap {}
}
