/**
 * Where a message stands: `queued` (not on the wire yet), `sent` (waiting for its echo), `echoed`,
 * `failed` (retries ran out; the reader can retry), or `received` (an echo of nothing sent here).
 */
export type MessageState = "queued" | "sent" | "echoed" | "failed" | "received";

export interface MessageEntry {
  /** This client's key for the entry (1, 2, 3, ... in the order entries were made). */
  readonly id: number;
  /** The id carried on the wire, which the server acknowledges and de-duplicates by. */
  readonly messageId: string;
  state: MessageState;
  /** What was sent, or for a `received` entry what arrived. */
  readonly data: unknown;
  /** Extra arguments sent after `data` (`send(data, ...args)`), if any. */
  readonly args?: readonly unknown[];
  /** What came back, once echoed. */
  echo?: unknown;
  /** Round-trip time of the echo, in ms. */
  rtt?: number;
  /** True when the echo differs from what was sent. */
  mismatch?: boolean;
  /** Why the server refused it, for a `failed` entry. */
  reason?: string;
  /** The refusal's code (`message_too_large`, ...), for a `failed` entry the server refused. */
  code?: string;
  /** The server's acknowledgement of the latest transmission, once it came. */
  reply?: unknown;
  /** Transmissions so far. */
  attempts: number;
  /** The clock's `now()` at the latest transmission. */
  sentAt?: number;
}

/**
 * A bounded list of entries (the element's message list), oldest first, capped at `max` so a long session keeps a small DOM.
 * O(1) per entry added (amortised): a flood of echoes costs no copy of the whole list each.
 */
export class MessageLog {
  #items: MessageEntry[] = [];
  /** Index of the oldest entry shown; those before it have been trimmed and wait for compaction. */
  #start = 0;

  constructor(public max: number) {}

  /** The entries shown, oldest first: a new array each call, so call it once a render. */
  get entries(): MessageEntry[] {
    return this.#items.slice(this.#start);
  }

  push(entry: MessageEntry): void {
    this.#items.push(entry);
    this.#trim();
  }

  clear(): void {
    this.#items = [];
    this.#start = 0;
  }

  setMax(max: number): void {
    this.max = max;
    this.#trim();
  }

  #trim(): void {
    this.#start = Math.max(this.#start, this.#items.length - this.max);
    if (this.#start > this.max) {
      this.#items = this.#items.slice(this.#start);
      this.#start = 0;
    }
  }
}
