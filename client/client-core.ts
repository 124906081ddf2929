import { echoArguments, envelope, type AckReply, type RefusalError } from "../protocol/index.js";
import { EchoConnection, type ConnectionError, type ConnectionStatus } from "./connection.js";
import type { Diagnosis } from "./diagnosis.js";
import { TypedEmitter } from "./emitter.js";
import { EchoClientError } from "./errors.js";
import type { EchoClientEventMap, StatusEvent } from "./events.js";
import type { MessageEntry } from "./message-log.js";
import type { EchoClientOptions } from "./options.js";
import { Outbox } from "./outbox.js";
import { RttStats, type RttSummary } from "./rtt-stats.js";
import type { UnsentWriter } from "./storage/unsent-storage.js";
import { storedText, type Restored } from "./unsent-store.js";

/** Reads what storage handed back (`parseStored`): the standalone element loads it with its extras, when there is something to restore. */
export type ParseStored = (texts: string[], max: number) => Restored;

/** Unsent messages are written to storage at most this often (and at once on close or when the page goes away). */
const SAVE_DELAY_MS = 250;

/**
 * The client's engine, given complete options it trusts: `EchoClient` validates them first, and the
 * element passes its own sanitised attributes, so the standalone bundle carries no validation text
 * (nor `EchoClient`'s outcome promises). `maxQueued`, `retries` and `ackTimeoutMs` are read from
 * `options` each time they are needed. Private state uses `#` names, which the minifier shortens.
 */
export class EchoClientCore extends TypedEmitter<EchoClientEventMap> {
  /** The options in force, defaults filled in. */
  readonly options: Readonly<EchoClientOptions>;
  readonly #outbox: Outbox;
  readonly #rtt = new RttStats();
  readonly #parse: ParseStored;
  #connection: EchoConnection | undefined;
  #writer: UnsentWriter | undefined;
  #storageOpened = false;
  /** Storage has opened (or failed to): what it held is back in line, and sending may start. */
  #storageReady = false;
  #socketConnected = false;
  #online = false;
  #status: ConnectionStatus = "disconnected";
  #transport: string | undefined;
  #diagnosis: Diagnosis | undefined;
  #closed = false;
  #saveTimer: unknown;
  readonly #onPageHide = (): void => this.#saveNow();

  constructor(options: EchoClientOptions, parse: ParseStored) {
    super();
    this.options = options;
    this.#parse = parse;
    this.#outbox = new Outbox(
      options,
      {
        transmit: (entry, attempt) => this.#transmit(entry, attempt),
        changed: () => this.#scheduleSave(),
        notice: (message) => this.emit("notice", { message }),
        entry: (entry, previous) => this.emit("entry", { entry, previous }),
        replied: (entry) => this.emit("reply", { entry }),
        refused: (entry, error, transient) => this.emit("refusal", { entry, error: error as RefusalError, transient }),
      },
      options.clock,
      options.pacing,
    );
    if (options.autoConnect) this.connect();
  }

  /** The connection's status: `connecting`, `connected`, `reconnecting` or `disconnected`. */
  get status(): ConnectionStatus {
    return this.#status;
  }

  /** `"websocket"` or `"polling"` while connected, otherwise `undefined`. */
  get transport(): string | undefined {
    return this.#transport;
  }

  /**
   * Why the last connection attempt failed (kept while reconnecting), or, while connected, why the
   * connection uses long-polling; undefined when all is well.
   */
  get diagnosis(): Diagnosis | undefined {
    return this.#diagnosis;
  }

  /** Round-trip times of the latest echoes (a bounded sample of 1000). */
  get rtt(): RttSummary {
    return this.#rtt.summary();
  }

  /** The latest `count` round-trip times in ms, oldest first (for a chart). */
  recentRtts(count = 60): number[] {
    return this.#rtt.recent(count);
  }

  /**
   * Emits `event` with `args` outside the delivery engine: no id, no queue, no re-send (for trying a
   * server's other events). With `onAck`, asks for an acknowledgement: `onAck(error, ...reply)`, an
   * error after `ackTimeoutMs`. Returns false when not connected (nothing is sent).
   */
  emitEvent(event: string, args: unknown[], onAck?: (error: Error | null, ...reply: unknown[]) => void): boolean {
    return this.#socketConnected && !!this.#connection?.emit(event, args, onAck && this.options.ackTimeoutMs, onAck);
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Messages waiting for their turn on the wire (offline, backing off, or paced). */
  get queuedCount(): number {
    return this.#outbox.queuedCount();
  }

  /** Messages not yet echoed (queued, sent or failed), in the order sent: what storage keeps. */
  unsent(): MessageEntry[] {
    return this.#outbox.unsent();
  }

  /**
   * Sends `data` with `args` after it on the wire, or queues it while offline; returns its entry.
   * Throws an `EchoClientError` with code `queue_full` when `maxQueued` messages already wait offline
   * (connected: `maxQueued` × 100 await their echo), and `closed` after `close()`.
   */
  send(data: unknown, ...args: unknown[]): { entry: MessageEntry } {
    const entry = this.#closed ? undefined : this.#outbox.add(data, args);
    if (!entry)
      throw new EchoClientError(
        this.#closed ? "closed" : "queue_full",
        `echo-socket: ${this.#closed ? "closed" : `queue full (${this.#outbox.queueLimit()})`}`,
      );
    return { entry };
  }

  /** Puts a failed message back in line (nothing for any other entry). */
  retry(entry: MessageEntry): unknown {
    return !this.#closed && this.#outbox.retry(entry);
  }

  /** Opens the connection (and storage, the first time); nothing when already open or closed. */
  connect(): void {
    if (this.#closed || this.#connection) return;
    if (!this.#storageOpened) this.#openStorage();
    if (typeof window === "object") addEventListener("pagehide", this.#onPageHide);
    this.#connection = new EchoConnection(this.options, {
      onStatus: (status, transport, error, diagnosis) => this.#onStatus(status, transport, error, diagnosis),
      onEcho: (args) => this.#onEcho(args),
      onReady: () => {
        this.#outbox.serverEchoesIdsConfirmed();
        this.emit("ready", {});
      },
      onServerError: (message) => this.emit("notice", { message }),
    });
  }

  /**
   * Disconnects for good and releases everything: the socket, timers, listeners and the storage
   * record (unsent messages stay stored, for a later client). Calling it again does nothing.
   */
  close(): void {
    if (this.#closed) return;
    this.#connection?.close(); // reports `disconnected` while listeners are still here...
    this.#connection = undefined;
    this.#onStatus("disconnected", undefined); // ...or not, when it was not connected
    this.#closed = true;
    if (typeof window === "object") removeEventListener("pagehide", this.#onPageHide);
    this.#outbox.dispose();
    this.#saveNow();
    closeWriter(this.#writer);
    this.#writer = undefined;
    this.removeAllListeners();
  }

  #openStorage(): void {
    this.#storageOpened = true;
    Promise.resolve()
      .then(() => this.options.storage.open((texts) => this.#restore(texts), this.options.maxQueued)) // a storage may stop claiming there
      .then(
        (writer) => {
          if (this.#closed) {
            this.#saveTo(writer); // closed while storage opened: what it restored stays stored
            closeWriter(writer);
            return;
          }
          this.#writer = writer;
          this.#saveNow();
          this.#ready();
        },
        () => this.#ready(), // unusable storage: send without it
      );
  }

  #ready(): void {
    this.#storageReady = true;
    this.#syncOutbox();
  }

  /** Messages an earlier client left go before this one's: at most `maxQueued`, the rest told of in a notice. */
  #restore(texts: string[]): void {
    const max = this.options.maxQueued;
    const { messages, dropped } = this.#parse(texts, max);
    this.#outbox.restore(messages);
    if (this.#storageReady) this.#saveNow(); // claimed from another writer: ours to keep now
    if (dropped > 0) {
      this.emit("notice", { message: `${dropped} stored messages dropped: the offline queue holds ${max}.`, dropped: { count: dropped, max } });
    }
  }

  /** The outbox sends once the socket is connected and what storage held is back in line. */
  #syncOutbox(): void {
    const online = this.#socketConnected && this.#storageReady && !this.#closed;
    if (online === this.#online) return;
    this.#online = online;
    this.#outbox.setConnected(online);
  }

  #onStatus(status: ConnectionStatus, transport: string | undefined, error?: ConnectionError, diagnosis?: Diagnosis): void {
    if (status === this.#status && transport === this.#transport && diagnosis === this.#diagnosis && !error) return;
    this.#status = status;
    this.#transport = transport;
    this.#diagnosis = diagnosis;
    this.#socketConnected = status === "connected";
    this.#syncOutbox();
    const event: StatusEvent = { status, transport };
    if (error) event.error = error;
    if (diagnosis) event.diagnosis = diagnosis;
    this.emit("status", event);
  }

  #onEcho(args: unknown[]): void {
    const { entry, duplicate } = this.#outbox.onEcho(args);
    if (duplicate) return;
    const data = args[0];
    if (entry?.rtt !== undefined) this.#rtt.add(entry.rtt);
    this.emit("echo", { entry: entry ?? this.#outbox.received(data), data, args: echoArguments(args), rtt: entry?.rtt });
  }

  #transmit(entry: MessageEntry, attempt: number): void {
    const { sendEvent, ackTimeoutMs } = this.options;
    this.#connection?.emit(sendEvent, [entry.data, ...(entry.args ?? []), envelope(entry.messageId)], ackTimeoutMs, (error, reply) =>
      this.#outbox.onAck(entry, attempt, error, reply as AckReply | undefined),
    );
  }

  /** Coalesced: writing every unsent message is O(unsent), so not once per acknowledgement. */
  #scheduleSave(): void {
    if (this.#saveTimer !== undefined || !this.#writer) return;
    this.#saveTimer = this.options.clock.setTimeout(() => this.#saveNow(), SAVE_DELAY_MS);
  }

  #saveNow(): void {
    this.options.clock.clearTimeout(this.#saveTimer);
    this.#saveTimer = undefined;
    if (this.#writer) this.#saveTo(this.#writer);
  }

  #saveTo(writer: UnsentWriter): void {
    try {
      void Promise.resolve(writer.save(storedText(this.#outbox.unsent()))).catch(() => {});
    } catch {
      // a storage of the caller's that throws: the messages still go out while the client lives
    }
  }
}

function closeWriter(writer: UnsentWriter | undefined): void {
  try {
    void Promise.resolve(writer?.close()).catch(() => {});
  } catch {
    // as above
  }
}
