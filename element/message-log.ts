/** Where a message stands: `queued` (not on the wire yet), `sent`, `echoed`, or `received` (an echo of nothing sent here). */
export type MessageState = "queued" | "sent" | "echoed" | "received";

export interface MessageEntry {
  readonly id: number;
  state: MessageState;
  /** What was sent, or for a `received` entry what arrived. */
  data: unknown;
  /** What came back, once echoed. */
  echo?: unknown;
}

/**
 * The element's messages, oldest first, capped at `max` so a long session keeps a small DOM.
 * Echoes match sent messages in order: an echo server answers in the order it receives.
 */
export class MessageLog {
  entries: MessageEntry[] = [];
  private nextId = 1;
  /** Sent messages still waiting for their echo, oldest first. */
  private awaiting: MessageEntry[] = [];

  constructor(public max: number) {}

  add(data: unknown, state: "queued" | "sent"): MessageEntry {
    const entry: MessageEntry = { id: this.nextId++, state, data };
    if (state === "sent") this.awaiting.push(entry);
    this.push(entry);
    return entry;
  }

  markSent(entry: MessageEntry): void {
    entry.state = "sent";
    this.awaiting.push(entry);
    this.touch();
  }

  /** Matches an echo to the oldest message still waiting for one, or records it as `received`. */
  echo(data: unknown): MessageEntry {
    const entry = this.awaiting.shift();
    if (entry) {
      entry.state = "echoed";
      entry.echo = data;
      this.touch();
      return entry;
    }
    const received: MessageEntry = { id: this.nextId++, state: "received", data };
    this.push(received);
    return received;
  }

  queued(): MessageEntry[] {
    return this.entries.filter((entry) => entry.state === "queued");
  }

  /** After a disconnect, the server will never echo what it had not answered: stop waiting. */
  forgetAwaiting(): void {
    this.awaiting = [];
  }

  clear(): void {
    this.entries = [];
    this.awaiting = [];
  }

  setMax(max: number): void {
    this.max = max;
    this.trim();
    this.touch();
  }

  private push(entry: MessageEntry): void {
    this.entries.push(entry);
    this.trim();
    this.touch();
  }

  private trim(): void {
    if (this.entries.length > this.max) this.entries = this.entries.slice(this.entries.length - this.max);
  }

  /** A new array identity, so Lit sees the change. */
  private touch(): void {
    this.entries = [...this.entries];
  }
}
