/**
 * Where a message stands: `queued` (not on the wire yet), `sent` (waiting for its echo), `echoed`,
 * `failed` (retries ran out; the reader can retry), or `received` (an echo of nothing sent here).
 */
export type MessageState = "queued" | "sent" | "echoed" | "failed" | "received";

export interface MessageEntry {
  /** This element's key for the entry. */
  readonly id: number;
  /** The id carried on the wire, which the server acknowledges and de-duplicates by. */
  readonly messageId: string;
  state: MessageState;
  /** What was sent, or for a `received` entry what arrived. */
  readonly data: unknown;
  /** What came back, once echoed. */
  echo?: unknown;
  /** Round-trip time of the echo, in ms. */
  rtt?: number;
  /** True when the echo differs from what was sent. */
  mismatch?: boolean;
  /** Why the server refused it, for a `failed` entry. */
  reason?: string;
  /** Transmissions so far. */
  attempts: number;
  /** `performance.now()` of the latest transmission. */
  sentAt?: number;
}

/** The entries on screen, oldest first, capped at `max` so a long session keeps a small DOM. */
export class MessageLog {
  entries: MessageEntry[] = [];

  constructor(public max: number) {}

  push(entry: MessageEntry): void {
    this.entries.push(entry);
    this.trim();
    this.touch();
  }

  clear(): void {
    this.entries = [];
  }

  setMax(max: number): void {
    this.max = max;
    this.trim();
    this.touch();
  }

  /** A new array identity, so Lit sees that something in it changed. */
  touch(): void {
    this.entries = [...this.entries];
  }

  private trim(): void {
    if (this.entries.length > this.max) this.entries = this.entries.slice(this.entries.length - this.max);
  }
}
