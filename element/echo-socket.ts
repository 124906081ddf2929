import { LitElement, html, nothing, render, type PropertyValues } from "lit";
import { DEFAULT_ECHO_EVENT, DEFAULT_PATH, DEFAULT_SEND_EVENT } from "../protocol/index.js";
import { browserClock } from "../client/clock.js";
import { EchoClientCore } from "../client/client-core.js";
import type { ConnectionStatus } from "../client/connection.js";
import type { EchoEvent, NoticeEvent } from "../client/events.js";
import { MessageLog, type MessageEntry, type MessageState } from "../client/message-log.js";
import type { EchoClientOptions } from "../client/options.js";
import { DEFAULT_PACING } from "../client/pacer.js";
import { localStorageStorage } from "../client/storage/local-storage.js";
import { EntryList } from "./entry-list.js";
import { dispatch } from "./events.js";
import { formatPayload } from "./format.js";
import { LABELS, labelProperties, type Labels } from "./labels.js";
import { scriptOrigin } from "./script-origin.js";
import { styles } from "./styles.js";

export type { ConnectionStatus } from "../client/connection.js";
export type { EchoReceiveDetail, EchoSendDetail, EchoSocketEventMap, EchoStatusDetail } from "./events.js";
export type { MessageState } from "../client/message-log.js";

const DEFAULT_MAX_MESSAGES = 500;
const DEFAULT_MAX_QUEUED = 100;

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
 * @fires echo-socket-status - The connection status changed. `detail`: `{ status, transport }`.
 *
 * @csspart form - The form holding the label, input and button.
 * @csspart input - The text input.
 * @csspart send - The send button.
 * @csspart output - The message list (`role="log"`).
 * @csspart message - One entry; `data-state` is `queued`, `sent`, `echoed`, `failed` or `received`; `data-mismatch` marks an echo that differs from what was sent.
 * @csspart retry - The retry button of a failed entry.
 * @csspart status - The connection status line; `data-status` is the status.
 * @csspart notice - A notice for the reader: a full offline queue, a server's refusal, or unsent messages dropped on restore.
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
 */
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
    ...labelProperties,
    status: { state: true, attribute: false },
    transport: { state: true, attribute: false },
    notice: { state: true, attribute: false },
  };

  /** Server URL. Empty (the default): the origin this script was loaded from, else the page's origin. */
  url = "";
  /** socket.io path on the server. Default `/socket.io`. */
  path = DEFAULT_PATH;
  /** Event emitted with each message. Default `ms`. */
  sendEvent = DEFAULT_SEND_EVENT;
  /** Event the server answers with. Default `echo`. */
  echoEvent = DEFAULT_ECHO_EVENT;
  /** Most entries kept in the list; older ones leave the DOM. Default 500. */
  maxMessages = DEFAULT_MAX_MESSAGES;
  /**
   * Most messages held while offline; past it a message is refused (it stays in the input). Also the
   * most restored from storage after a page reload. Default 100.
   */
  maxQueued = DEFAULT_MAX_QUEUED;
  /** Milliseconds to wait for a message's acknowledgement before re-sending it. Default 10000. */
  ackTimeout = 10_000;
  /** Re-sends after acknowledgement timeouts before a message shows as failed. Default 3. */
  retries = 3;

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
  /** The headless client doing delivery, storage and round-trip times; one per connection settings. */
  #client: EchoClientCore | undefined;
  /** What the live client was opened with; a change of any of these reconnects. */
  #connectionKey = "";
  /** False once the reader scrolls up, so new messages do not pull the list away from them. */
  #stickToBottom = true;

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
   * Sends `data` (any value socket.io can carry), or queues it while offline. Returns false, and
   * shows why, when the offline queue is full.
   */
  send(data: unknown): boolean {
    const client = this.#client ?? this.#openClient();
    let entry: MessageEntry;
    try {
      entry = client.send(data).entry; // the log has it already: see onEntry
    } catch {
      this.#setNotice(this.queueFullLabel.replace("{max}", String(this.#maxQueuedOption())));
      return false;
    }
    this.#setNotice("");
    dispatch(this, "echo-socket-send", { id: this.#ids.get(entry)!, data });
    return true;
  }

  /** Empties the message list (messages still on their way keep going). */
  clear(): void {
    this.#log.clear();
    this.requestUpdate();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.requestUpdate(); // reconnects in updated() when the element comes back to a page
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#closeClient();
  }

  /**
   * Renders at most once a frame: a burst of echoes (each its own task) becomes one DOM update.
   * The first update (which opens the connection) is not held back, and a hidden page, which gets
   * no frames, updates at once too.
   */
  protected override async scheduleUpdate(): Promise<void> {
    if (this.hasUpdated && !document.hidden) await new Promise((resolve) => requestAnimationFrame(resolve));
    super.scheduleUpdate();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has("maxMessages")) {
      this.#log.setMax(positiveInteger(this.maxMessages, DEFAULT_MAX_MESSAGES));
    }
  }

  protected override updated(): void {
    if (this.isConnected) (this.#settingsKey() === this.#connectionKey && this.#client ? this.#client : this.#openClient()).connect();
    this.#list.sync(this.#output, this.#log.entries, (entry, node) => this.#renderEntry(entry, node));
    if (this.#stickToBottom) this.#output.scrollTop = this.#output.scrollHeight;
  }

  protected override render() {
    return html`
      <form part="form" @submit=${this.#onSubmit}>
        <label for="input">${this.inputLabel}</label>
        <input id="input" part="input" type="text" autocomplete="off" enterkeyhint="send" placeholder=${this.placeholder} />
        <button part="send" type="submit">${this.sendLabel}</button>
      </form>
      ${this.notice ? html`<p part="notice" role="alert">${this.notice}</p>` : nothing}
      <div part="output" role="log" aria-live="polite" aria-label=${this.outputLabel} tabindex="0" @scroll=${this.#onScroll}></div>
      <p part="status" data-status=${this.status}>${this.#statusText()}</p>
    `;
  }

  /** One entry, into its own `<div part="message">` (see `EntryList`). */
  #renderEntry(entry: MessageEntry, node: HTMLElement): void {
    const shown = entry.state === "echoed" ? entry.echo : entry.data;
    const rtt = entry.rtt === undefined ? "" : ` · ${Math.round(entry.rtt)} ms`;
    node.setAttribute("part", "message");
    node.dataset.state = entry.state;
    node.toggleAttribute("data-mismatch", !!entry.mismatch);
    render(
      html`<span class="text">${this.#textOf(entry, shown)}</span>
        <span class="state">${this.#stateLabel(entry.state)}${rtt}${entry.mismatch ? ` · ${this.mismatchLabel}` : ""}${entry.reason ? ` · ${entry.reason}` : ""}</span>
        ${entry.state === "failed"
          ? html`<button part="retry" type="button" @click=${() => this.#client?.retry(entry)}>${this.retryLabel}</button>`
          : nothing}`,
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

  #settingsKey(): string {
    return JSON.stringify([this.url, this.path, this.sendEvent, this.echoEvent]);
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
    const url = this.url || scriptOrigin();
    const path = this.path || DEFAULT_PATH;
    const sendEvent = this.sendEvent || DEFAULT_SEND_EVENT;
    const options: EchoClientOptions = {
      url,
      path,
      sendEvent,
      echoEvent: this.echoEvent || DEFAULT_ECHO_EVENT,
      // Read live, so changing `max-queued`, `retries` or `ack-timeout` applies to the next message.
      get maxQueued() {
        return element.#maxQueuedOption();
      },
      get retries() {
        return Number.isInteger(element.retries) && element.retries >= 0 ? element.retries : 3;
      },
      get ackTimeoutMs() {
        return positiveInteger(element.ackTimeout, 10_000);
      },
      storage: localStorageStorage(`echo-socket:unsent:${url}${path}:${sendEvent}${this.id ? `#${this.id}` : ""}`),
      pacing: DEFAULT_PACING,
      clock: browserClock,
      socketOptions: {},
      autoConnect: false,
    };
    const client = new EchoClientCore(options);
    this.#client = client;
    client.on("status", ({ status, transport }) => this.#onStatus(status, transport));
    client.on("entry", ({ entry, previous }) => this.#onEntry(entry, previous));
    client.on("echo", (event) => this.#onEcho(event));
    client.on("notice", (event) => this.#onNotice(event));
    return client; // connected once the element is on a page (see updated())
  }

  #closeClient(): void {
    this.#client?.close(); // reports `disconnected`
    this.#client = undefined;
    this.#connectionKey = "";
  }

  #maxQueuedOption(): number {
    return positiveInteger(this.maxQueued, DEFAULT_MAX_QUEUED);
  }

  #setNotice(text: string, keepOnConnect = false): void {
    this.notice = text;
    this.#noticeKeptOnConnect = keepOnConnect;
  }

  #onStatus(status: ConnectionStatus, transport: string | undefined): void {
    if (status === this.status && transport === this.transport) return;
    const wasConnected = this.status === "connected";
    this.status = status;
    this.transport = transport;
    if (status === "connected" && !wasConnected && !this.#noticeKeptOnConnect) this.#setNotice("");
    dispatch(this, "echo-socket-status", { status, transport });
  }

  /** A new entry (sent, restored or received) joins the list; any change renders. */
  #onEntry(entry: MessageEntry, previous: MessageState | undefined): void {
    if (previous === undefined) {
      this.#ids.set(entry, this.#nextId++);
      this.#log.push(entry);
    }
    this.requestUpdate();
  }

  #onEcho({ entry, data, args, rtt }: EchoEvent): void {
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
    this.#input.value = "";
    this.#input.focus();
  }

  #onScroll(): void {
    const { scrollHeight, scrollTop, clientHeight } = this.#output;
    this.#stickToBottom = scrollHeight - scrollTop - clientHeight < 8;
  }

  #stateLabel(state: MessageState): string {
    const labels: Record<MessageState, string> = {
      queued: this.queuedLabel,
      sent: this.sentLabel,
      echoed: this.echoedLabel,
      failed: this.failedLabel,
      received: this.receivedLabel,
    };
    return labels[state];
  }

  #statusText(): string {
    const words: Record<ConnectionStatus, string> = {
      connecting: this.connectingLabel,
      connected: this.transport ? `${this.connectedLabel} (${this.transport})` : this.connectedLabel,
      reconnecting: this.reconnectingLabel,
      disconnected: this.disconnectedLabel,
    };
    const parts = [words[this.status]];
    const queued = this.#client?.queuedCount ?? 0;
    if (queued > 0) parts.push(`${queued} ${this.queuedLabel}`);
    const rtt = this.#client?.rtt;
    if (rtt?.count) parts.push(`RTT ${Math.round(rtt.min!)} / ${Math.round(rtt.median!)} / ${Math.round(rtt.p95!)} ms (min / median / p95)`);
    return parts.join(" · ");
  }
}

/** The label properties (`inputLabel`, ...), declared from `LABELS` rather than one by one. */
export interface EchoSocketElement extends Labels {}

function positiveInteger(value: number, fallback: number): number {
  return Number.isInteger(value) && value > 0 ? value : fallback;
}
