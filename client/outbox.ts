import { cap } from "./cap.js";
import { browserClock, type Clock } from "./clock.js";
import { echoId, isTransientRefusal, SHUTDOWN_REFUSAL, type AckReply, type RefusalError } from "../protocol/index.js";
import { newMessageId } from "./message-id.js";
import type { MessageEntry, MessageState } from "./message-log.js";
import { DEFAULT_PACING, Pacer, type PacingOptions } from "./pacer.js";
import { MAX_RETRY_DELAY_MS, retryDelay } from "./retry-delay.js";
import { sameData } from "./same-data.js";

export interface OutboxOptions {
  /**
   * Most messages waiting for the connection; past it `add()` refuses. While connected, at most
   * `maxQueued` × `LIVE_QUEUE_FACTOR` not yet echoed (queued or sent), and at most `maxQueued` failed.
   */
  maxQueued: number;
  /** Re-sends after an acknowledgement timeout before a message is `failed` (only to servers that echo ids). */
  retries: number;
}

export interface OutboxHooks {
  /** Puts `entry` on the wire; `attempt` identifies this transmission for its acknowledgement. */
  transmit(entry: MessageEntry, attempt: number): void;
  /** Some entry changed state (called once per batch of changes: for saving and rendering). */
  changed(): void;
  /** The server refused a message: tell the reader (`undefined` once sending resumes). */
  notice(message: string | undefined): void;
  /** `entry` went from `previous` (undefined: it is new) to its current state. */
  entry?(entry: MessageEntry, previous: MessageState | undefined): void;
  /** The server's acknowledgement of `entry`'s latest transmission arrived (`entry.reply`). */
  replied?(entry: MessageEntry): void;
  /** The server refused `entry`; `transient`: it waits and goes again, else it failed. */
  refused?(entry: MessageEntry, error: Partial<RefusalError> & { message: string }, transient: boolean): void;
}

/** A message to restore (from storage): its wire id, data and extra arguments. */
export interface RestoredMessage {
  messageId: string;
  data: unknown;
  args?: readonly unknown[];
}

/** How many delivered ids to remember, to ignore a second echo of one. */
const RECENT_IDS = 2000;

/**
 * While connected, `add()` refuses once `maxQueued` × this many messages are queued or sent and not
 * yet echoed (a server that never echoes, or `send()` far faster than the pace): 10,000 by default.
 */
export const LIVE_QUEUE_FACTOR = 100;

/**
 * Delivery of a client's messages: each gets an id, waits in order while offline, is re-sent
 * after a reconnect until its echo arrives, and is shown echoed once however many echoes come back.
 * Against a server that does not echo ids (like the tutorial's), echoes match sent messages in order.
 * Transmissions are paced (see `Pacer`): messages wait in line, `queued`, until their turn.
 */
export class Outbox {
  /** Messages not yet echoed (queued, sent or failed), in the order they were typed. */
  readonly #pending = new Map<string, MessageEntry>();
  /** The failed entries of `pending`, oldest failure first: past `maxQueued` the oldest leaves `pending`. */
  readonly #failed = new Set<MessageEntry>();
  readonly #recentlyDelivered = new Set<string>();
  readonly #timeouts = new Map<string, number>();
  #nextId = 1;
  #connected = false;
  /** Set once the server shows it echoes our ids: then matching is by id and re-sending on timeout is safe. */
  #serverEchoesIds = false;
  /** While the server asked us to back off: messages wait in the queue. */
  #paused = false;
  #resumeTimer: unknown;
  readonly #pacer: Pacer;
  /** Ids of transmissions awaiting their acknowledgement or echo: each frees its pacing slot once. */
  readonly #inFlight = new Set<string>();
  /** Queued entries in the order they go out, from `waitingHead` on; rebuilt from `pending` when `waitingStale`. */
  #waiting: MessageEntry[] = [];
  #waitingHead = 0;
  #waitingStale = false;
  #pumpTimer: unknown;
  #queued = 0;

  readonly #options: OutboxOptions;
  readonly #hooks: OutboxHooks;
  readonly #clock: Clock;

  constructor(options: OutboxOptions, hooks: OutboxHooks, clock: Clock = browserClock, pacing: PacingOptions = DEFAULT_PACING) {
    this.#options = options;
    this.#hooks = hooks;
    this.#clock = clock;
    this.#pacer = new Pacer(pacing, clock);
  }

  /**
   * A new message, with `args` to send after its data; undefined when it would overflow the offline
   * queue (or, connected, `queueLimit()` messages await their echo). `force` skips that bound
   * (`messageId`: a given id, for tests).
   */
  add(data: unknown, args: readonly unknown[] = [], messageId = newMessageId(), force = false): MessageEntry | undefined {
    const waiting = this.#connected ? this.#pending.size - this.#failed.size : this.#queued;
    if (!force && waiting >= this.queueLimit()) return undefined;
    const entry = this.#create(data, args, messageId);
    const replaced = this.#pending.get(messageId);
    this.#pending.set(messageId, entry);
    if (replaced) this.#setState(replaced, "failed"); // the same id twice: the first no longer counts as queued
    this.#queued++;
    this.#waiting.push(entry);
    this.#hooks.entry?.(entry, undefined);
    this.#pump();
    this.#hooks.changed();
    return entry;
  }

  /**
   * Messages an earlier client left unsent: they go before every message of this one (they were typed
   * first). Ids already known here are skipped. Returns the new entries.
   */
  restore(messages: readonly RestoredMessage[]): MessageEntry[] {
    const restored: MessageEntry[] = [];
    for (const { messageId, data, args } of messages) {
      if (this.#pending.has(messageId) || this.#recentlyDelivered.has(messageId)) continue;
      restored.push(this.#create(data, args ?? [], messageId));
    }
    if (restored.length === 0) return restored;
    const later = [...this.#pending.values()];
    this.#pending.clear();
    for (const entry of [...restored, ...later]) this.#pending.set(entry.messageId, entry);
    this.#queued += restored.length;
    this.#waitingStale = true;
    for (const entry of restored) this.#hooks.entry?.(entry, undefined);
    this.#pump();
    this.#hooks.changed();
    return restored;
  }

  /** An entry for an echo of nothing sent here. */
  received(data: unknown): MessageEntry {
    const entry: MessageEntry = { id: this.#nextId++, messageId: "", state: "received", data, attempts: 0 };
    this.#hooks.entry?.(entry, undefined);
    return entry;
  }

  #create(data: unknown, args: readonly unknown[], messageId: string): MessageEntry {
    const entry: MessageEntry = { id: this.#nextId++, messageId, state: "queued", data, attempts: 0 };
    if (args.length > 0) (entry as { args?: readonly unknown[] }).args = args;
    return entry;
  }

  /** The server announced that it echoes ids. */
  serverEchoesIdsConfirmed(): void {
    this.#serverEchoesIds = true;
  }

  /** On connect, everything not yet echoed goes out in the order it was typed (the server de-duplicates). */
  setConnected(connected: boolean): void {
    this.#connected = connected;
    this.#inFlight.clear();
    this.#clock.clearTimeout(this.#pumpTimer);
    this.#pumpTimer = undefined;
    if (!connected) return;
    this.#resume(); // a new connection starts with a fresh allowance
    this.#pacer.reset();
    for (const entry of this.#pending.values()) if (entry.state !== "failed") this.#setState(entry, "queued");
    this.#waitingStale = true;
    this.#pump();
    this.#hooks.changed();
  }

  /** Handles the acknowledgement of transmission `attempt` of `entry`: an error is a timeout or a disconnect. */
  onAck(entry: MessageEntry, attempt: number, error: Error | null, reply?: AckReply): void {
    if (reply?.ok === true && reply.id !== undefined) this.#serverEchoesIds = true;
    if (attempt !== entry.attempts) return;
    if (reply !== undefined) {
      // A refusal's sentence is kept capped (a server's megabyte of text, on every message, filled the heap).
      const refusal = reply?.ok === false ? reply.error : undefined;
      if (typeof refusal?.message === "string") refusal.message = cap(refusal.message);
      entry.reply = reply;
      this.#hooks.replied?.(entry);
    }
    if (entry.state !== "sent") return;
    this.#answered(entry);
    if (!error && reply?.ok === false) this.#onRefused(entry, reply.error);
    else if (error && this.#connected) this.#onTimeout(entry);
    this.#pump();
  }

  #onTimeout(entry: MessageEntry): void {
    const timeouts = (this.#timeouts.get(entry.messageId) ?? 0) + 1;
    this.#timeouts.set(entry.messageId, timeouts);
    // Re-sending to a server that does not echo ids could show one message's echo as another's.
    if (this.#serverEchoesIds && timeouts <= this.#options.retries) this.#requeue(entry);
    else this.#setState(entry, "failed");
    this.#hooks.changed();
  }

  /**
   * Matches an echo to its message. `duplicate`: a second echo of a delivered message, to ignore.
   * Neither entry nor duplicate: an echo of nothing sent here.
   */
  onEcho(args: readonly unknown[]): { entry?: MessageEntry; duplicate: boolean } {
    const data = args[0];
    const id = echoId(args);
    if (id !== undefined) {
      this.#serverEchoesIds = true;
      const entry = this.#pending.get(id);
      if (!entry) return { duplicate: this.#recentlyDelivered.has(id) };
      this.#deliver(entry, data);
      return { entry, duplicate: false };
    }
    // An echo without an id, once the server showed it echoes ids, is not one of ours.
    if (!this.#serverEchoesIds)
      for (const entry of this.#pending.values()) {
        if (entry.state === "sent") {
          this.#deliver(entry, data);
          return { entry, duplicate: false };
        }
      }
    return { duplicate: false };
  }

  /** Stops its timers; for when the client closes. */
  dispose(): void {
    this.#clock.clearTimeout(this.#resumeTimer);
    this.#clock.clearTimeout(this.#pumpTimer);
    this.#pumpTimer = undefined;
  }

  /**
   * A refused message waits and goes again after the server's delay (clamped, see `retryDelay`),
   * or fails with the reason. A refusal of an unknown shape counts as a lasting one.
   */
  #onRefused(entry: MessageEntry, refusal: Partial<RefusalError> | undefined): void {
    const reason = typeof refusal?.message === "string" && refusal.message !== "" ? refusal.message : "The server refused this message.";
    this.#hooks.notice(reason);
    const transient = isTransientRefusal(refusal?.code);
    if (transient) {
      this.#requeue(entry);
      // shutting_down on a connection that stays open: at most a minute, not for ever.
      this.#pause(refusal?.code === SHUTDOWN_REFUSAL ? MAX_RETRY_DELAY_MS : retryDelay(refusal?.retryAfterMs));
    } else {
      entry.reason = reason;
      if (typeof refusal?.code === "string") entry.code = refusal.code;
      this.#setState(entry, "failed");
    }
    this.#hooks.refused?.(entry, { ...refusal, message: reason }, transient);
    this.#hooks.changed();
  }

  /** Holds messages back for `ms` (or until the next connection, if sooner). */
  #pause(ms: number): void {
    this.#paused = true;
    this.#clock.clearTimeout(this.#resumeTimer);
    this.#resumeTimer = this.#clock.setTimeout(() => this.#resumeSending(), ms);
  }

  #resume(): void {
    this.#clock.clearTimeout(this.#resumeTimer);
    if (this.#paused) this.#hooks.notice(undefined);
    this.#paused = false;
  }

  #resumeSending(): void {
    this.#resume();
    this.#pump();
    this.#hooks.changed();
  }

  /** Puts a failed message back in line; false when `entry` is not a failed message of this outbox. */
  retry(entry: MessageEntry): boolean {
    if (entry.state !== "failed" || this.#pending.get(entry.messageId) !== entry) return false;
    this.#timeouts.delete(entry.messageId);
    entry.reason = entry.code = undefined;
    this.#requeue(entry);
    this.#pump();
    this.#hooks.changed();
    return true;
  }

  /** Messages not yet echoed (queued, sent or failed), in order: what must survive a page reload. */
  unsent(): MessageEntry[] {
    return [...this.#pending.values()];
  }

  /** How many messages `add()` accepts before refusing: offline `maxQueued`, connected `maxQueued` × `LIVE_QUEUE_FACTOR`. */
  queueLimit(): number {
    return this.#options.maxQueued * (this.#connected ? LIVE_QUEUE_FACTOR : 1);
  }

  /** Messages waiting for their turn on the wire (offline, backing off, or paced). */
  queuedCount(): number {
    return this.#queued;
  }

  /** Transmits queued messages, in order, as fast as the pacer allows; called again when it allows more. */
  #pump(): void {
    if (!this.#connected || this.#paused) return;
    if (this.#waitingStale) {
      this.#waiting = [...this.#pending.values()].filter((entry) => entry.state === "queued");
      this.#waitingHead = 0;
      this.#waitingStale = false;
    }
    while (this.#waitingHead < this.#waiting.length) {
      const entry = this.#waiting[this.#waitingHead]!;
      if (entry.state !== "queued" || this.#pending.get(entry.messageId) !== entry) {
        this.#waitingHead++;
        continue;
      }
      const wait = this.#pacer.take();
      if (wait > 0) {
        if (wait !== Infinity && this.#pumpTimer === undefined) {
          this.#pumpTimer = this.#clock.setTimeout(() => {
            this.#pumpTimer = undefined;
            this.#pump();
          }, wait);
        }
        break;
      }
      this.#waitingHead++;
      this.#transmit(entry);
    }
    // Drop what has gone out from the front now and then: O(1) per message, amortised.
    if (this.#waitingHead > 256 && this.#waitingHead * 2 > this.#waiting.length) {
      this.#waiting = this.#waiting.slice(this.#waitingHead);
      this.#waitingHead = 0;
    }
  }

  /** Back in line at its place in typing order (the line is rebuilt before the next transmission). */
  #requeue(entry: MessageEntry): void {
    this.#setState(entry, "queued");
    this.#waitingStale = true;
  }

  #setState(entry: MessageEntry, state: MessageState): void {
    const previous = entry.state;
    if (previous === state) return;
    if (previous === "queued") this.#queued--;
    if (state === "queued") this.#queued++;
    entry.state = state;
    if (previous === "failed") this.#failed.delete(entry);
    if (state === "failed" && this.#pending.get(entry.messageId) === entry) this.#evictFailed(entry);
    this.#hooks.entry?.(entry, previous);
  }

  /**
   * Keeps at most `maxQueued` failed messages: past that the oldest failure leaves `pending` (and so
   * `unsent()` and storage). Its outcome was already told (`failed`); retrying it does nothing.
   */
  #evictFailed(entry: MessageEntry): void {
    this.#failed.add(entry);
    if (this.#failed.size <= this.#options.maxQueued) return;
    const oldest = this.#failed.values().next().value!;
    this.#failed.delete(oldest);
    if (this.#pending.get(oldest.messageId) === oldest) this.#pending.delete(oldest.messageId);
    this.#timeouts.delete(oldest.messageId);
  }

  /** Its transmission got an answer: the pacing slot is free again (once per transmission). */
  #answered(entry: MessageEntry): void {
    if (this.#inFlight.delete(entry.messageId)) this.#pacer.release();
  }

  #transmit(entry: MessageEntry): void {
    entry.attempts++;
    entry.sentAt = this.#clock.now();
    this.#inFlight.add(entry.messageId);
    this.#setState(entry, "sent");
    try {
      this.#hooks.transmit(entry, entry.attempts);
    } catch {
      // Data the socket cannot encode (nested past the call stack, say): this one fails, the rest go on.
      this.#answered(entry);
      this.#setState(entry, "failed");
    }
  }

  #deliver(entry: MessageEntry, echo: unknown): void {
    this.#answered(entry);
    entry.echo = echo;
    entry.rtt = entry.sentAt === undefined ? undefined : this.#clock.now() - entry.sentAt;
    entry.mismatch = !sameData(entry.data, echo);
    this.#pending.delete(entry.messageId); // before the state change, so listeners see it delivered
    this.#setState(entry, "echoed");
    this.#timeouts.delete(entry.messageId);
    this.#recentlyDelivered.add(entry.messageId);
    if (this.#recentlyDelivered.size > RECENT_IDS) {
      this.#recentlyDelivered.delete(this.#recentlyDelivered.values().next().value!);
    }
    this.#pump();
    this.#hooks.changed();
  }
}
