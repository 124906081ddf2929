import { EchoClientCore } from "./client-core.js";
import type { SendOutcome, SendResult } from "./events.js";
import type { MessageEntry } from "./message-log.js";
import { resolveOptions, type EchoClientOptions } from "./options.js";
import { parseStored } from "./unsent-store.js";

/**
 * A headless echo-socket client for browsers and Node 20+: one socket.io connection and the delivery
 * engine behind `<echo-socket>`. Each message gets an id, waits in order while offline (and in
 * `storage` for a later client), is re-sent after a reconnect or an acknowledgement timeout until its
 * echo arrives, and is echoed once however many echoes come back. Refusals that pass with time hold
 * messages back for the server's `retryAfterMs` (clamped to [100 ms, 60 s]); others fail the message.
 *
 * ```js
 * const client = new EchoClient({ url: "http://localhost:3000" });
 * const { outcome } = client.send("hello");
 * console.log(await outcome); // { state: "echoed", entry }
 * client.close();
 * ```
 *
 * Events (`client.on(type, listener)` returns a function that removes it): `status`, `entry` (every
 * state change of every entry), `echo`, `notice`, `refusal`, `ready`. See `EchoClientEventMap`.
 */
export class EchoClient extends EchoClientCore {
  /** Who waits for each entry's outcome. */
  readonly #outcomes = new Map<MessageEntry, Array<(outcome: SendOutcome) => void>>();

  /**
   * Validates `options` once (a `TypeError` names a wrong or unknown one, what it takes and what it
   * got; the object passed is not changed) and, unless `autoConnect: false`, connects.
   */
  constructor(options?: Partial<EchoClientOptions>) {
    super(Object.freeze(resolveOptions(options)), parseStored);
    this.on("entry", ({ entry }) => this.#onEntry(entry));
  }

  /**
   * Sends `data` (any value socket.io carries) with `args` after it on the wire, or queues it while
   * offline. Returns the message's live entry and a promise of its outcome, which resolves once (never
   * rejects): `{ state: "echoed", entry }` or `{ state: "failed", entry, reason }`. Throws an
   * `EchoClientError` with code `queue_full` when `maxQueued` messages already wait offline, and
   * `closed` after `close()`.
   */
  override send(data: unknown, ...args: unknown[]): SendResult {
    const { entry } = super.send(data, ...args);
    return { entry, outcome: this.#outcomeOf(entry) };
  }

  /** Puts a failed message back in line; returns a new promise of its outcome. */
  override retry(entry: MessageEntry): Promise<SendOutcome> {
    super.retry(entry);
    return this.#outcomeOf(entry);
  }

  /** Disconnects for good and releases everything (see `EchoClientCore.close`); messages still waiting get a `failed` outcome. */
  override close(): void {
    super.close();
    for (const entry of [...this.#outcomes.keys()]) {
      this.#settle(entry, { state: "failed", entry, reason: "The client was closed before the echo came; the message stays in storage for the next one." });
    }
  }

  /** A promise of how `entry` ends: settled at once when it already has. */
  #outcomeOf(entry: MessageEntry): Promise<SendOutcome> {
    const now = this.#ended(entry);
    if (now) return Promise.resolve(now);
    return new Promise((resolve) => {
      const waiting = this.#outcomes.get(entry);
      if (waiting) waiting.push(resolve);
      else this.#outcomes.set(entry, [resolve]);
    });
  }

  #onEntry(entry: MessageEntry): void {
    const outcome = this.#outcomes.has(entry) ? this.#ended(entry) : undefined;
    if (outcome) this.#settle(entry, outcome);
  }

  /** The outcome of `entry` if it has ended (or can no longer end here), else undefined. */
  #ended(entry: MessageEntry): SendOutcome | undefined {
    if (entry.state === "echoed") return { state: "echoed", entry };
    if (entry.state === "failed") return { state: "failed", entry, reason: this.#failureReason(entry) };
    if (entry.state === "received") return { state: "failed", entry, reason: "Not a message sent by this client." };
    if (this.closed) return { state: "failed", entry, reason: "The client is closed." };
    return undefined;
  }

  #failureReason(entry: MessageEntry): string {
    if (entry.reason) return entry.reason;
    if (!this.unsent().includes(entry)) return "Replaced by a message with the same id.";
    return `No echo within ${this.options.ackTimeoutMs} ms of sending (${entry.attempts} ${entry.attempts === 1 ? "attempt" : "attempts"}).`;
  }

  #settle(entry: MessageEntry, outcome: SendOutcome): void {
    const waiting = this.#outcomes.get(entry);
    this.#outcomes.delete(entry);
    for (const resolve of waiting ?? []) resolve(outcome);
  }
}
