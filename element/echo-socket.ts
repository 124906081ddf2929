import { LitElement, html, nothing, render, type PropertyValues } from "lit";
import { DEFAULT_ECHO_EVENT, DEFAULT_PATH, DEFAULT_SEND_EVENT } from "../protocol/index.js";
import { browserClock } from "../client/clock.js";
import { EchoClientCore } from "../client/client-core.js";
import { DEFAULT_ACK_TIMEOUT_MS, DEFAULT_MAX_QUEUED, DEFAULT_RETRIES, MAX_RETRIES, MAX_TIMER_MS } from "../client/defaults.js";
import { preconnect, type ConnectionStatus } from "../client/connection.js";
import type { Diagnosis } from "../client/diagnosis.js";
import type { EchoEvent, NoticeEvent, StatusEvent } from "../client/events.js";
import { MessageLog, type MessageEntry, type MessageState } from "../client/message-log.js";
import type { EchoClientError } from "../client/errors.js";
import type { EchoClientOptions } from "../client/options.js";
import { DEFAULT_PACING } from "../client/pacer.js";
import { localStorageStorage } from "../client/storage/local-storage.js";
import { parseStored } from "../client/unsent-store.js";
import { EntryList } from "./entry-list.js";
import { dispatch } from "./events.js";
import { formatPayload } from "./format.js";
import { LABELS, labelProperties, type Labels } from "./labels.js";
import { knownConfig, scriptOrigin, serverConfig, type ServerConfig } from "./script-origin.js";
import { loadExtras, type Composer, type Extras } from "./load-extras.js";
import { styles } from "./styles.js";

export type { ConnectionStatus } from "../client/connection.js";
export type { EchoReceiveDetail, EchoSendDetail, EchoSocketEventMap, EchoStatusDetail } from "./events.js";
export type { MessageState } from "../client/message-log.js";
export type { Diagnosis, DiagnosisCode } from "../client/diagnosis.js";

const DEFAULT_MAX_MESSAGES = 500;

/**
 * A message box on a live socket.io echo channel: type a message, send it, and read each echo as
 * it comes back. Messages always render as text, never as HTML. Nothing typed is lost: messages wait
 * while offline (and across a page reload), are re-sent until echoed, and each shows once.
 * Delivery, storage and round-trip times are the headless client's (`echo-socket/client`); the element
 * shows them. It stays responsive against a hostile server or storage: messages go out paced under an
 * echo-socket server's default rate limit, a server's `retryAfterMs` is clamped to 60 s, at most
 * `max-queued` messages are restored after a reload (the reader is told how many were dropped), and
 * a flood of echoes costs O(1) work per echo plus at most one render a frame.
 *
 * @summary Input, send button and output list talking to a socket.io echo server.
 *
 * @fires echo-socket-send - A message was sent, or queued while offline. `detail`: `{ id, data }`.
 * @fires echo-socket-echo - An echo arrived. `detail`: `{ id, data, args, rtt }` (`id` and `rtt` are undefined for an echo of nothing sent here).
 * @fires echo-socket-status - The connection status changed, or why it failed. `detail`: `{ status, transport, diagnosis? }` (`diagnosis`: `{ code, target, message, hint, status?, detail? }`, see `DIAGNOSES` in echo-socket/client).
 *
 * @csspart form - The form holding the label, input and button (not shown with `composer`).
 * @csspart input - The text input.
 * @csspart send - The send button.
 * @csspart output - The message list (`role="log"`).
 * @csspart message - One entry; `data-state` is `queued`, `sent`, `echoed`, `failed` or `received`; `data-mismatch` marks an echo that differs from what was sent.
 * @csspart retry - The retry button of a failed entry.
 * @csspart status - The connection status line; `data-status` is the status. Its `role="status"` span (a polite live region) holds the status, why it failed and the number queued; round-trip figures follow it, shown only while connected.
 * @csspart notice - A notice for the reader: a full offline queue, a server's refusal, or unsent messages dropped on restore.
 * @csspart diagnosis - Why the connection failed (or uses long-polling): the message, the target, the server's words and a hint; `data-code` is the diagnosis code.
 * @csspart clear - The button that empties the list.
 * @csspart chart - The round-trip chart (an SVG, `role="img"`, its text in `aria-label`); loaded on demand, hidden by `no-chart`.
 * @csspart composer - The composer's form (`composer`), with parts `event` (its event name), `argument` (a fieldset per argument), `ack` (its checkbox), `send` and `composer-error`.
 * @csspart details - An entry's expandable details in the composer: the arguments sent and received and the acknowledgement, as text.
 *
 * @cssprop [--echo-socket-background=#ffffff / #0d1117] - Background.
 * @cssprop [--echo-socket-color=#1b1f24 / #e6edf3] - Text colour.
 * @cssprop [--echo-socket-muted-color=#57606a / #9198a1] - Labels, states and status.
 * @cssprop [--echo-socket-border-color=#d0d7de / #3d444d] - Borders.
 * @cssprop [--echo-socket-accent-color=#0b5cd5 / #4493f8] - The send button and received entries.
 * @cssprop [--echo-socket-accent-text-color=#ffffff / #0d1117] - Text on the accent colour.
 * @cssprop [--echo-socket-entry-background=#f6f8fa / #161b22] - Message entries.
 * @cssprop [--echo-socket-warning-color=#9a6700 / #d29922] - Failed and changed entries, notices.
 * @cssprop [--echo-socket-focus-color=#0b5cd5 / #4493f8] - The focus ring.
 * @cssprop [--echo-socket-font=1rem/1.4 system-ui, sans-serif] - Font.
 * @cssprop [--echo-socket-spacing=0.5rem] - Gaps and padding.
 * @cssprop [--echo-socket-radius=6px] - Corner radius.
 * @cssprop [--echo-socket-output-height=16rem] - Height of the message list.
 *
 * @attr {string} [placeholder=Type a message] - Placeholder of the input (property `placeholder`).
 * @attr {string} [input-label=Message] - Label of the input (property `inputLabel`).
 * @attr {string} [send-label=Send] - Text of the send button (property `sendLabel`).
 * @attr {string} [output-label=Messages] - Accessible name of the message list (property `outputLabel`).
 * @attr {string} [connecting-label=Connecting…] - Status word while connecting (property `connectingLabel`).
 * @attr {string} [connected-label=Connected] - Status word while connected, the transport follows (property `connectedLabel`).
 * @attr {string} [reconnecting-label=Reconnecting…] - Status word while reconnecting (property `reconnectingLabel`).
 * @attr {string} [disconnected-label=Disconnected] - Status word when disconnected (property `disconnectedLabel`).
 * @attr {string} [queued-label=queued] - State word of a message waiting for the connection (property `queuedLabel`).
 * @attr {string} [sent-label=sent] - State word of a message sent, echo pending (property `sentLabel`).
 * @attr {string} [echoed-label=echoed] - State word of a message whose echo came back (property `echoedLabel`).
 * @attr {string} [failed-label=failed] - State word of a message whose retries ran out (property `failedLabel`).
 * @attr {string} [received-label=received] - State word of an echo of nothing sent here (property `receivedLabel`).
 * @attr {string} [retry-label=Retry] - Text of a failed entry's retry button (property `retryLabel`).
 * @attr {string} [mismatch-label=changed in transit] - Mark on an echo that differs from what was sent (property `mismatchLabel`).
 * @attr {string} [queue-full-label] - Notice when the offline queue is full; `{max}` is replaced by its size (property `queueFullLabel`).
 * @attr {string} [dropped-label] - Notice when a page reload found more unsent messages than the offline queue holds; `{count}` and `{max}` are replaced (property `droppedLabel`).
 * @attr {string} [clear-label=Clear] - Text of the button that empties the list (property `clearLabel`).
 * @attr {string} [empty-label=No messages yet.] - Shown in the empty list (property `emptyLabel`).
 * @attr {string} [no-ack-label] - Why a message failed without an acknowledgement; `{ms}` and `{tries}` are replaced (property `noAckLabel`).
 * @attr {string} [rtt-chart-label] - Text alternative of the round-trip chart; `{count}`, `{median}`, `{p95}` and `{max}` are replaced (property `rttChartLabel`).
 * @attr {string} [diagnosis-labels] - JSON of this page's words for diagnoses, by code: `{"unreachable": ["message", "hint"]}` (property `diagnosisLabels`).
 * @attr {string} [composer-labels] - JSON of this page's words for the composer, by name (see `COMPOSER_LABELS`) (property `composerLabels`).
 * @attr {boolean} composer - A playground instead of the message box: any event, text, JSON or file arguments, an acknowledgement, each entry's details (property `composer`).
 * @attr {boolean} no-chart - Hides the round-trip chart (property `noChart`).
 * @attr {boolean} timestamps - Shows the time of each entry (property `timestamps`).
 *
 * @prop {string} [placeholder=Type a message] - Placeholder of the input.
 * @prop {string} [inputLabel=Message] - Label of the input.
 * @prop {string} [sendLabel=Send] - Text of the send button.
 * @prop {string} [outputLabel=Messages] - Accessible name of the message list.
 * @prop {string} [connectingLabel=Connecting…] - Status word while connecting.
 * @prop {string} [connectedLabel=Connected] - Status word while connected (the transport follows).
 * @prop {string} [reconnectingLabel=Reconnecting…] - Status word while reconnecting.
 * @prop {string} [disconnectedLabel=Disconnected] - Status word when disconnected.
 * @prop {string} [queuedLabel=queued] - State word of a message waiting for the connection.
 * @prop {string} [sentLabel=sent] - State word of a message sent, echo pending.
 * @prop {string} [echoedLabel=echoed] - State word of a message whose echo came back.
 * @prop {string} [failedLabel=failed] - State word of a message whose retries ran out.
 * @prop {string} [receivedLabel=received] - State word of an echo of nothing sent here.
 * @prop {string} [retryLabel=Retry] - Text of a failed entry's retry button.
 * @prop {string} [mismatchLabel=changed in transit] - Mark on an echo that differs from what was sent.
 * @prop {string} queueFullLabel - Notice when the offline queue is full; `{max}` is replaced by its size.
 * @prop {string} droppedLabel - Notice when a page reload found more unsent messages than the offline queue holds; `{count}` and `{max}` are replaced.
 * @prop {string} [clearLabel=Clear] - Text of the button that empties the list.
 * @prop {string} [emptyLabel=No messages yet.] - Shown in the empty list.
 * @prop {string} noAckLabel - Why a message failed without an acknowledgement; `{ms}` and `{tries}` are replaced.
 * @prop {string} rttChartLabel - Text alternative of the round-trip chart; `{count}`, `{median}`, `{p95}` and `{max}` are replaced.
 * @prop {string} diagnosisLabels - JSON of this page's words for diagnoses, by code.
 * @prop {string} composerLabels - JSON of this page's words for the composer, by name.
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface only types the label properties the class defines from the table
export class EchoSocketElement extends LitElement {
  static override styles = styles;
  /**
   * The reactive properties: the connection's and the limits' below, every label of `LABELS` (with
   * its kebab-case attribute), and the private state. Declared here rather than with decorators, which
   * cost the standalone bundle ~0.5 KB gzip of helpers. `attribute: false` beside `state: true` keeps
   * the manifest analyzer from listing them as attributes.
   */
  static override properties = {
    url: {},
    path: {},
    sendEvent: { attribute: "send-event" },
    echoEvent: { attribute: "echo-event" },
    maxMessages: { type: Number, attribute: "max-messages" },
    maxQueued: { type: Number, attribute: "max-queued" },
    ackTimeout: { type: Number, attribute: "ack-timeout" },
    retries: { type: Number },
    composer: { type: Boolean },
    noChart: { type: Boolean, attribute: "no-chart" },
    timestamps: { type: Boolean },
    ...labelProperties,
    status: { state: true, attribute: false },
    transport: { state: true, attribute: false },
    notice: { state: true, attribute: false },
  };

  /** Server URL. Empty (the default): the origin this script was loaded from, else the page's origin. */
  url = "";
  /**
   * socket.io path on the server. Default `/socket.io`, or, for the bundle a router served, the path
   * of the server that router belongs to (its `config.json`), unless this is set.
   */
  path = DEFAULT_PATH;
  /** Event emitted with each message. Default `ms` (or the router's server's, as for `path`). */
  sendEvent = DEFAULT_SEND_EVENT;
  /** Event the server answers with. Default `echo` (or the router's server's, as for `path`). */
  echoEvent = DEFAULT_ECHO_EVENT;
  /** Most entries kept in the list; older ones leave the DOM. Default 500. */
  maxMessages = DEFAULT_MAX_MESSAGES;
  /**
   * Most messages held while offline; past it a message is refused (it stays in the input). Also the
   * most restored from storage after a page reload. Default 100.
   */
  maxQueued = DEFAULT_MAX_QUEUED;
  /** Milliseconds to wait for a message's acknowledgement before re-sending it. Default 10000, at most 2^31 - 1 (a longer timer fires at once). */
  ackTimeout = DEFAULT_ACK_TIMEOUT_MS;
  /** Re-sends after acknowledgement timeouts before a message shows as failed. Default 3, at most 100. */
  retries = DEFAULT_RETRIES;
  /**
   * A playground instead of the message box: any event, text or JSON or file arguments, several of
   * them, an acknowledgement asked for or not, and each entry's arguments and reply shown. Loaded on
   * demand (the standalone bundle fetches `echo-socket-extras.js` from beside itself). Default false.
   */
  composer!: boolean;
  /** Hides the round-trip time chart. Default false. */
  noChart!: boolean;
  /** Shows the time of each entry. Default false. */
  timestamps!: boolean;

  private status: ConnectionStatus = "disconnected";
  private transport: string | undefined;
  private notice = "";
  /** The notice outlives the next connect (it is not about the connection). */
  #noticeKeptOnConnect = false;

  readonly #log = new MessageLog(DEFAULT_MAX_MESSAGES);
  readonly #list = new EntryList<MessageEntry>();
  /** The element's id of each entry in its list: 1, 2, 3, ... over the element's life, whichever client made it. */
  readonly #ids = new WeakMap<MessageEntry, number>();
  #nextId = 1;
  /** Each entry's text as last formatted, with the value it was formatted from: formatted once, not every frame. */
  readonly #texts = new WeakMap<MessageEntry, { value: unknown; text: string }>();
  /** When each entry was made (for `timestamps`), and the arguments of its echo (for the composer's details). */
  readonly #times = new WeakMap<MessageEntry, number>();
  readonly #received = new WeakMap<MessageEntry, unknown[]>();
  /** The headless client doing delivery, storage and round-trip times; one per connection settings. */
  #client: EchoClientCore | undefined;
  /** What the live client was opened with; a change of any of these reconnects. */
  #connectionKey = "";
  /** False once the reader scrolls up, so new messages do not pull the list away from them. */
  #stickToBottom = true;
  /** Texts sent from the input, for ArrowUp and ArrowDown, and where the reader is in them. */
  readonly #history: string[] = [];
  #historyAt = 0;
  /** The composer and its helpers, once loaded (see `composer`). */
  #extras: Extras | undefined;
  #extrasLoading: Promise<void> | undefined;
  /** The diagnosis last reported. */
  #diagnosis: Diagnosis | undefined;
  #composer: Composer | undefined;
  /** Lets go of the connection opened while `config.json` loads, should the client not take it. */
  #letGoEarly: (() => void) | undefined;

  constructor() {
    super();
    Object.assign(this, LABELS);
  }

  /** The rendered input and message list, looked up when used (as `@query` did). */
  get #input(): HTMLInputElement {
    return this.renderRoot.querySelector("input")!;
  }

  get #output(): HTMLElement {
    return this.renderRoot.querySelector('[part~="output"]')!;
  }

  /** The connection status right now. */
  get connectionStatus(): ConnectionStatus {
    return this.status;
  }

  /**
   * Why the connection failed (kept while reconnecting), or why it uses long-polling; undefined when
   * all is well. The same object as `echo-socket-status`'s `detail.diagnosis`.
   */
  get diagnosis(): Diagnosis | undefined {
    return this.#client?.diagnosis;
  }

  /**
   * Sends `data` (any value socket.io can carry), with `args` after it on the wire, or queues it while
   * offline. Returns false, and shows why, when the queue is full (see `max-queued`); throws the client's
   * `EchoClientError` for anything else (`closed`).
   */
  send(data: unknown, ...args: unknown[]): boolean {
    const client = this.#client ?? this.#openClient();
    let entry: MessageEntry;
    try {
      entry = client.send(data, ...args).entry; // the log has it already: see onEntry
    } catch (error) {
      if ((error as EchoClientError).code !== "queue_full") throw error; // `closed`, or a bug: not a full queue
      this.#setNotice(this.queueFullLabel.replace("{max}", String(this.#maxQueuedOption())));
      return false;
    }
    this.#setNotice("");
    dispatch(this, "echo-socket-send", { id: this.#ids.get(entry)!, data });
    return true;
  }

  /**
   * For the composer: emits `event` with `args` outside the delivery engine (see
   * `EchoClientCore.emitEvent`) and lists `entry` for it; false when not connected (nothing sent).
   * @internal
   */
  composerEmit(entry: MessageEntry, event: string, args: unknown[], onAck?: (error: Error | null, ...reply: unknown[]) => void): boolean {
    const sent = !!this.#client?.emitEvent(event, args, onAck);
    if (sent) this.#onEntry(entry, undefined);
    return sent;
  }

  /** Empties the message list (messages still on their way keep going). */
  clear(): void {
    this.#log.clear();
    this.requestUpdate();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.requestUpdate(); // reconnects in willUpdate() when the element comes back to a page
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#closeClient();
    this.#letGo();
  }

  /**
   * Renders at most once a frame: a burst of echoes (each its own task) becomes one DOM update.
   * Updates before the client is open (the first, and the one once `config.json` is known: they
   * open the connection) are not held back, and a hidden page, which gets no frames, updates at once too.
   */
  protected override async scheduleUpdate(): Promise<void> {
    if (this.#client && !document.hidden) await new Promise((resolve) => requestAnimationFrame(resolve));
    super.scheduleUpdate();
  }

  /**
   * Connects here, before rendering, so the status the connection reports at once is part of this
   * update rather than a second one (which Lit's dev mode warns about). Waits for the router's
   * configuration first, when the script came from one; meanwhile the engine.io handshake with the
   * server and path it would name if it names none is under way (`preconnect`), and the client
   * takes that connection over when the configuration agrees.
   */
  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has("maxMessages")) {
      this.#log.setMax(positiveInteger(this.maxMessages, DEFAULT_MAX_MESSAGES));
    }
    if (!knownConfig) {
      void serverConfig().then(() => this.requestUpdate());
      if (this.isConnected && !this.#letGoEarly) {
        const [url, path] = this.#settings();
        this.#letGoEarly = preconnect(url, path);
      }
    } else if (this.isConnected) {
      (this.#settingsKey() === this.#connectionKey && this.#client ? this.#client : this.#openClient()).connect();
      this.#letGo(); // taken over by now, unless the configuration named another server or path
    }
    // biome-ignore lint/suspicious/noNonNullAssertedOptionalChain: undefined > 1 is false, as wanted; spelling it out costs bundle bytes
    if (this.composer || this.diagnosisLabels || (!this.noChart && this.#client?.rtt.count! > 1)) {
      this.#extrasLoading ??= loadExtras().then(
        (extras) => {
          extras.adopt(this.renderRoot as ShadowRoot);
          this.#extras = extras;
          this.requestUpdate();
        },
        () => void (this.composer = false),
      ); // the composer and chart stay away; the box works without them (the plain form instead of the composer)
    }
  }

  protected override updated(): void {
    this.#list.sync(this.#output, this.#log.entries, (entry, node) => this.#renderEntry(entry, node));
    if (this.#stickToBottom) this.#output.scrollTop = this.#output.scrollHeight;
  }

  protected override render() {
    const diagnosis = this.diagnosis;
    // The client's English, or this page's words from `diagnosis-labels` (read by the extras, loaded for them).
    const [message, hint] = diagnosis ? (this.#extras?.ownWords(this.diagnosisLabels, diagnosis) ?? [diagnosis.message, diagnosis.hint]) : [];
    const connected = this.status === "connected";
    const rtt = connected ? this.#client?.rtt : undefined;
    if (this.composer && this.#extras) this.#composer ??= new this.#extras.Composer(this);
    return html`
      ${
        this.composer
          ? (this.#composer?.render(html) ?? nothing)
          : html`<form part="form" @submit=${this.#onSubmit}>
            <label for="input">${this.inputLabel}</label>
            <input id="input" part="input" type="text" autocomplete="off" enterkeyhint="send" placeholder=${this.placeholder} @keydown=${this.#onKeyDown} />
            <button part="send" type="submit">${this.sendLabel}</button>
          </form>`
      }
      ${this.notice ? html`<p part="notice" role="alert">${this.notice}</p>` : nothing}
      ${
        diagnosis
          ? html`<p part="diagnosis" data-code=${diagnosis.code}>
            <b>${message}</b> · <span>${diagnosis.target}</span>${diagnosis.detail ? ` (${diagnosis.detail})` : ""}<br />${hint}
          </p>`
          : nothing
      }
      <div part="output" role="log" aria-live="polite" aria-label=${this.outputLabel} data-empty=${this.emptyLabel} tabindex="0" @scroll=${this.#onScroll}></div>
      <div class="foot">
        <p part="status" data-status=${this.status}><span role="status">${this.#statusText(message)}</span>${
          rtt?.count ? ` · RTT ${Math.round(rtt.min!)} / ${Math.round(rtt.median!)} / ${Math.round(rtt.p95!)} ms (min / median / p95)` : ""
        }</p>
        ${rtt && !this.noChart ? this.#extras?.chart(html, this.#client!.recentRtts(40), rtt, this.rttChartLabel) : nothing}
        <button part="clear" type="button" @click=${this.clear}>${this.clearLabel}</button>
      </div>
    `;
  }

  /** One entry, into its own `<div part="message">` (see `EntryList`). */
  #renderEntry(entry: MessageEntry, node: HTMLElement): void {
    const shown = entry.state === "echoed" ? entry.echo : entry.data;
    const rtt = entry.rtt === undefined ? "" : ` · ${Math.round(entry.rtt)} ms`;
    const failed = entry.state === "failed";
    node.setAttribute("part", "message");
    node.dataset.state = entry.state;
    node.toggleAttribute("data-mismatch", !!entry.mismatch);
    render(
      html`${this.timestamps ? html`<span class="time">${new Date(this.#times.get(entry)!).toLocaleTimeString()}</span>` : nothing}<span class="text">${this.#textOf(entry, shown)}</span>
        <span class="state">${this.#stateLabel(entry.state)}${rtt}${entry.mismatch ? ` · ${this.mismatchLabel}` : ""}${
          failed
            ? ` · ${entry.code ? `${entry.code}: ` : ""}${entry.reason ?? this.noAckLabel.replace("{ms}", String(this.#client?.options.ackTimeoutMs)).replace("{tries}", String(entry.attempts))}`
            : ""
        }</span>
        ${failed ? html`<button part="retry" type="button" @click=${() => this.#client?.retry(entry)}>${this.retryLabel}</button>` : nothing}
        ${this.composer ? (this.#extras?.details(html, entry, this.#received.get(entry), this) ?? nothing) : nothing}`,
      node,
    );
  }

  /** `formatPayload`, once per entry and shown value (JSON of a large object is not redone every frame). */
  #textOf(entry: MessageEntry, value: unknown): string {
    const cached = this.#texts.get(entry);
    if (cached && Object.is(cached.value, value)) return cached.text;
    const text = formatPayload(value);
    this.#texts.set(entry, { value, text });
    return text;
  }

  /** The server, path and events to use: attributes first, then the router's configuration, then the defaults. */
  #settings(): [url: string, path: string, sendEvent: string, echoEvent: string] {
    const origin = scriptOrigin();
    // The router's configuration describes the server that served this script: not another one.
    const config: ServerConfig = !this.url || new URL(this.url, location.href).origin === origin ? (knownConfig ?? {}) : {};
    const pick = (value: string, fallback: string, attribute: string, configured?: string): string =>
      (value !== fallback || this.hasAttribute(attribute) ? value : configured) || fallback;
    return [
      this.url || origin + (config.namespace && config.namespace !== "/" ? config.namespace : ""),
      pick(this.path, DEFAULT_PATH, "path", config.path),
      pick(this.sendEvent, DEFAULT_SEND_EVENT, "send-event", config.sendEvent),
      pick(this.echoEvent, DEFAULT_ECHO_EVENT, "echo-event", config.echoEvent),
    ];
  }

  #settingsKey(): string {
    return JSON.stringify(this.#settings());
  }

  /**
   * A client for the current settings (closing the previous one, whose unsent messages stay in its
   * storage for the next client of its address). The attributes are sanitised here, falling back to
   * defaults, rather than validated: a page's typo must not break the element.
   */
  #openClient(): EchoClientCore {
    this.#closeClient();
    this.#connectionKey = this.#settingsKey();
    const element = this;
    const [url, path, sendEvent, echoEvent] = this.#settings();
    const key = `echo-socket:unsent:${url}${path}:${sendEvent}${this.id ? `#${this.id}` : ""}`;
    const options: EchoClientOptions = {
      url,
      path,
      sendEvent,
      echoEvent,
      // Read live, so changing `max-queued`, `retries` or `ack-timeout` applies to the next message.
      get maxQueued() {
        return element.#maxQueuedOption();
      },
      // Clamped to the client's limits: a longer timer fires at once, and more re-sends make a loop.
      get retries() {
        return Math.min(Number.isInteger(element.retries) && element.retries >= 0 ? element.retries : DEFAULT_RETRIES, MAX_RETRIES);
      },
      get ackTimeoutMs() {
        return Math.min(positiveInteger(element.ackTimeout, DEFAULT_ACK_TIMEOUT_MS), MAX_TIMER_MS);
      },
      storage: localStorageStorage(key),
      pacing: DEFAULT_PACING,
      clock: browserClock,
      socketOptions: {},
      autoConnect: false,
    };
    const client = new EchoClientCore(options, parseStored);
    this.#client = client;
    client.on("status", (event) => this.#onStatus(event));
    client.on("entry", ({ entry, previous }) => this.#onEntry(entry, previous));
    client.on("echo", (event) => this.#onEcho(event));
    client.on("notice", (event) => this.#onNotice(event));
    client.on("reply", () => this.requestUpdate()); // the composer's details show it (renders coalesce into a frame)
    return client; // connected once the element is on a page (see willUpdate())
  }

  #closeClient(): void {
    this.#client?.close(); // reports `disconnected`
    this.#client = undefined;
    this.#connectionKey = "";
  }

  #letGo(): void {
    this.#letGoEarly?.();
    this.#letGoEarly = undefined;
  }

  #maxQueuedOption(): number {
    return positiveInteger(this.maxQueued, DEFAULT_MAX_QUEUED);
  }

  #setNotice(text: string, keepOnConnect = false): void {
    this.notice = text;
    this.#noticeKeptOnConnect = keepOnConnect;
  }

  #onStatus({ status, transport, diagnosis }: StatusEvent): void {
    if (status === this.status && transport === this.transport && diagnosis === this.#diagnosis) return;
    const wasConnected = this.status === "connected";
    this.status = status;
    this.transport = transport;
    this.#diagnosis = diagnosis;
    if (status === "connected" && !wasConnected && !this.#noticeKeptOnConnect) this.#setNotice("");
    this.requestUpdate(); // a new diagnosis with the same status renders too
    dispatch(this, "echo-socket-status", diagnosis ? { status, transport, diagnosis } : { status, transport });
  }

  /** A new entry (sent, restored or received) joins the list; any change renders. */
  #onEntry(entry: MessageEntry, previous: MessageState | undefined): void {
    if (previous === undefined) {
      this.#ids.set(entry, this.#nextId++);
      this.#times.set(entry, Date.now());
      this.#log.push(entry);
    }
    this.requestUpdate();
  }

  #onEcho({ entry, data, args, rtt }: EchoEvent): void {
    if (entry) this.#received.set(entry, args);
    dispatch(this, "echo-socket-echo", { id: entry?.state === "received" ? undefined : entry && this.#ids.get(entry), data, args, rtt });
  }

  /** The client's notices, in the element's words where it has its own (dropped messages). */
  #onNotice({ message, dropped }: NoticeEvent): void {
    if (dropped) {
      this.#setNotice(this.droppedLabel.replace("{count}", String(dropped.count)).replace("{max}", String(dropped.max)), true);
    } else this.#setNotice(message ?? "");
    this.requestUpdate();
  }

  #onSubmit(event: SubmitEvent): void {
    event.preventDefault();
    const text = this.#input.value;
    if (text.trim() === "") return;
    if (!this.send(text)) return; // refused: the text stays for the reader to send later
    if (this.#history.at(-1) !== text) this.#history.push(text);
    if (this.#history.length > 50) this.#history.shift();
    this.#historyAt = this.#history.length;
    this.#input.value = "";
    this.#input.focus();
  }

  /** ArrowUp and ArrowDown walk back and forth through the texts sent, as a shell does. */
  #onKeyDown(event: KeyboardEvent): void {
    const step = event.key === "ArrowUp" ? -1 : event.key === "ArrowDown" ? 1 : 0;
    const at = this.#historyAt + step;
    if (!step || at < 0 || at > this.#history.length) return;
    event.preventDefault();
    this.#historyAt = at;
    this.#input.value = this.#history[at] ?? "";
  }

  #onScroll(): void {
    const { scrollHeight, scrollTop, clientHeight } = this.#output;
    this.#stickToBottom = scrollHeight - scrollTop - clientHeight < 8;
  }

  /** An entry's state word: `queuedLabel`, `sentLabel`, ... */
  #stateLabel(state: MessageState): string {
    return this[`${state}Label`];
  }

  /** What the live region says: the status, why (when something is wrong), and the number queued. */
  #statusText(why: string | undefined): string {
    // The status's own label (`connectingLabel`, ...), with the transport once connected.
    const parts = [this[`${this.status}Label`] + (this.status === "connected" && this.transport ? ` (${this.transport})` : "")];
    if (why) parts.push(why);
    const queued = this.#client?.queuedCount ?? 0;
    if (queued > 0) parts.push(`${queued} ${this.queuedLabel}`);
    return parts.join(" · ");
  }
}

/** The label properties (`inputLabel`, ...), declared from `LABELS` rather than one by one. */
export interface EchoSocketElement extends Labels {}

function positiveInteger(value: number, fallback: number): number {
  return Number.isInteger(value) && value > 0 ? value : fallback;
}
