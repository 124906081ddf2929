import { envelopeId, newMessageId } from "./message-id.js";
import type { MessageEntry } from "./message-log.js";
import { sameData } from "./same-data.js";

export interface OutboxOptions {
  /** Most messages waiting for the connection; past it `add()` refuses. */
  maxQueued: number;
  /** Re-sends after an acknowledgement timeout before a message is `failed` (only to servers that echo ids). */
  retries: number;
}

export interface OutboxHooks {
  /** Puts `entry` on the wire; `attempt` identifies this transmission for its acknowledgement. */
  transmit(entry: MessageEntry, attempt: number): void;
  /** Some entry changed state. */
  changed(): void;
  /** The server refused a message: tell the reader (`undefined` once sending resumes). */
  notice(message: string | undefined): void;
}

/** Why the server refused a message (an echo-socket server's negative acknowledgement). */
export interface RefusalInfo {
  code: string;
  message: string;
  retryAfterMs?: number;
}

/** An acknowledgement from the server: `{ ok: true }`, or a refusal with its reason. */
export interface AckReply {
  ok: boolean;
  id?: string;
  duplicate?: boolean;
  error?: RefusalInfo;
}

/** Refusals that pass with time or a reconnect: the message waits and goes again. Others fail it. */
const TRANSIENT = new Set(["rate_limited", "slow_consumer", "shutting_down"]);

/** How many delivered ids to remember, to ignore a second echo of one. */
const RECENT_IDS = 2000;

/**
 * Delivery of this element's messages: each gets an id, waits in order while offline, is re-sent
 * after a reconnect until its echo arrives, and is shown echoed once however many echoes come back.
 * Against a server that does not echo ids (like the tutorial's), echoes match sent messages in order.
 */
export class Outbox {
  /** Messages not yet echoed (queued, sent or failed), in the order they were typed. */
  private readonly pending = new Map<string, MessageEntry>();
  private readonly recentlyDelivered = new Set<string>();
  private readonly timeouts = new Map<string, number>();
  private nextId = 1;
  private connected = false;
  /** Set once the server shows it echoes our ids: then matching is by id and re-sending on timeout is safe. */
  private serverEchoesIds = false;
  /** While the server asked us to back off: messages wait in the queue. */
  private paused = false;
  private resumeTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly options: OutboxOptions,
    private readonly hooks: OutboxHooks,
  ) {}

  /** A new message; undefined when it would overflow the offline queue. `force` is for restoring saved ones. */
  add(data: unknown, messageId = newMessageId(), force = false): MessageEntry | undefined {
    if (!this.connected && !force && this.queuedCount() >= this.options.maxQueued) return undefined;
    const entry: MessageEntry = { id: this.nextId++, messageId, state: "queued", data, attempts: 0 };
    this.pending.set(messageId, entry);
    if (this.connected && !this.paused) this.transmit(entry);
    this.hooks.changed();
    return entry;
  }

  /** An entry for an echo of nothing sent here. */
  received(data: unknown): MessageEntry {
    return { id: this.nextId++, messageId: "", state: "received", data, attempts: 0 };
  }

  /** The server announced that it echoes ids. */
  serverEchoesIdsConfirmed(): void {
    this.serverEchoesIds = true;
  }

  /** On connect, everything not yet echoed goes out in the order it was typed (the server de-duplicates). */
  setConnected(connected: boolean): void {
    this.connected = connected;
    if (!connected) return;
    this.resume(); // a new connection starts with a fresh allowance
    for (const entry of this.pending.values()) if (entry.state !== "failed") this.transmit(entry);
    this.hooks.changed();
  }

  /** Handles the acknowledgement of transmission `attempt` of `entry`: an error is a timeout or a disconnect. */
  onAck(entry: MessageEntry, attempt: number, error: Error | null, reply?: AckReply): void {
    if (reply?.id !== undefined) this.serverEchoesIds = true;
    if (entry.state !== "sent" || attempt !== entry.attempts) return;
    if (!error && reply?.ok === false && reply.error) return this.onRefused(entry, reply.error);
    if (!error || !this.connected) return;
    const timeouts = (this.timeouts.get(entry.messageId) ?? 0) + 1;
    this.timeouts.set(entry.messageId, timeouts);
    // Re-sending to a server that does not echo ids could show one message's echo as another's.
    if (this.serverEchoesIds && timeouts <= this.options.retries) this.transmit(entry);
    else entry.state = "failed";
    this.hooks.changed();
  }

  /**
   * Matches an echo to its message. `duplicate`: a second echo of a delivered message, to ignore.
   * Neither entry nor duplicate: an echo of nothing sent here.
   */
  onEcho(args: readonly unknown[]): { entry?: MessageEntry; duplicate: boolean } {
    const data = args[0];
    const id = envelopeId(args[1]);
    if (id !== undefined) {
      this.serverEchoesIds = true;
      const entry = this.pending.get(id);
      if (!entry) return { duplicate: this.recentlyDelivered.has(id) };
      this.deliver(entry, data);
      return { entry, duplicate: false };
    }
    for (const entry of this.pending.values()) {
      if (entry.state === "sent") {
        this.deliver(entry, data);
        return { entry, duplicate: false };
      }
    }
    return { duplicate: false };
  }

  /** Stops the resume timer; for when the element leaves the page. */
  dispose(): void {
    clearTimeout(this.resumeTimer);
  }

  /** A refused message waits and goes again after the server's delay, or fails with the reason. */
  private onRefused(entry: MessageEntry, refusal: RefusalInfo): void {
    this.hooks.notice(refusal.message);
    if (TRANSIENT.has(refusal.code)) {
      entry.state = "queued";
      this.pause(refusal.code === "shutting_down" ? undefined : (refusal.retryAfterMs ?? 1000));
    } else {
      entry.state = "failed";
      entry.reason = refusal.message;
    }
    this.hooks.changed();
  }

  /** Holds messages back: for `ms`, or until the next connection when undefined. */
  private pause(ms: number | undefined): void {
    this.paused = true;
    clearTimeout(this.resumeTimer);
    if (ms !== undefined) this.resumeTimer = setTimeout(() => this.resumeSending(), ms);
  }

  private resume(): void {
    clearTimeout(this.resumeTimer);
    if (this.paused) this.hooks.notice(undefined);
    this.paused = false;
  }

  private resumeSending(): void {
    this.resume();
    if (!this.connected) return;
    for (const entry of this.pending.values()) if (entry.state === "queued") this.transmit(entry);
    this.hooks.changed();
  }

  /** Puts a failed message back in line. */
  retry(entry: MessageEntry): void {
    if (entry.state !== "failed") return;
    this.timeouts.delete(entry.messageId);
    entry.state = "queued";
    entry.reason = undefined;
    if (this.connected && !this.paused) this.transmit(entry);
    this.hooks.changed();
  }

  /** Messages not yet echoed, in order: what must survive a page reload. */
  unsent(): MessageEntry[] {
    return [...this.pending.values()];
  }

  queuedCount(): number {
    let count = 0;
    for (const entry of this.pending.values()) if (entry.state === "queued") count++;
    return count;
  }

  private transmit(entry: MessageEntry): void {
    entry.state = "sent";
    entry.attempts++;
    entry.sentAt = performance.now();
    this.hooks.transmit(entry, entry.attempts);
  }

  private deliver(entry: MessageEntry, echo: unknown): void {
    entry.state = "echoed";
    entry.echo = echo;
    entry.rtt = entry.sentAt === undefined ? undefined : performance.now() - entry.sentAt;
    entry.mismatch = !sameData(entry.data, echo);
    this.pending.delete(entry.messageId);
    this.timeouts.delete(entry.messageId);
    this.recentlyDelivered.add(entry.messageId);
    if (this.recentlyDelivered.size > RECENT_IDS) {
      this.recentlyDelivered.delete(this.recentlyDelivered.values().next().value!);
    }
    this.hooks.changed();
  }
}
