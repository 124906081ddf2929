import { LitElement, html, nothing, type PropertyValues } from "lit";
import { repeat } from "lit/directives/repeat.js";
import { EchoConnection, type ConnectionStatus } from "./connection.js";
import { dispatch } from "./events.js";
import { formatPayload } from "./format.js";
import { DEFAULT_ECHO_EVENT, DEFAULT_PATH, DEFAULT_SEND_EVENT, echoArguments, envelope, type AckReply } from "../protocol/index.js";
import { MessageLog, type MessageEntry, type MessageState } from "./message-log.js";
import { Outbox, type OutboxOptions } from "./outbox.js";
import { RttStats } from "./rtt-stats.js";
import { scriptOrigin } from "./script-origin.js";
import { styles } from "./styles.js";
import { UnsentStore } from "./unsent-store.js";

export type { ConnectionStatus } from "./connection.js";
export type { EchoReceiveDetail, EchoSendDetail, EchoSocketEventMap, EchoStatusDetail } from "./events.js";
export type { MessageState } from "./message-log.js";

const DEFAULT_MAX_MESSAGES = 500;
const DEFAULT_MAX_QUEUED = 100;
/** Unsent messages are written to storage at most this often (and at once when the page goes away). */
const SAVE_DELAY_MS = 250;

/**
 * A message box on a live socket.io echo channel: type a message, send it, and read each echo as
 * it comes back. Messages always render as text, never as HTML. Nothing typed is lost: messages wait
 * while offline (and across a page reload), are re-sent until echoed, and each shows once.
 * It stays responsive against a hostile server or storage: messages go out paced under an
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
 */
export class EchoSocketElement extends LitElement {
  static override styles = styles;
  /**
   * The reactive properties: every public field below, with its attribute, and the private state.
   * Declared here rather than with decorators, which cost the standalone bundle ~0.5 KB gzip of helpers.
   * `attribute: false` beside `state: true` keeps the manifest analyzer from listing them as attributes.
   */
  static override properties = {
    url: {},
    path: {},
    sendEvent: { attribute: "send-event" },
    echoEvent: { attribute: "echo-event" },
    placeholder: {},
    maxMessages: { type: Number, attribute: "max-messages" },
    maxQueued: { type: Number, attribute: "max-queued" },
    ackTimeout: { type: Number, attribute: "ack-timeout" },
    retries: { type: Number },
    inputLabel: { attribute: "input-label" },
    sendLabel: { attribute: "send-label" },
    outputLabel: { attribute: "output-label" },
    connectingLabel: { attribute: "connecting-label" },
    connectedLabel: { attribute: "connected-label" },
    reconnectingLabel: { attribute: "reconnecting-label" },
    disconnectedLabel: { attribute: "disconnected-label" },
    queuedLabel: { attribute: "queued-label" },
    sentLabel: { attribute: "sent-label" },
    echoedLabel: { attribute: "echoed-label" },
    failedLabel: { attribute: "failed-label" },
    receivedLabel: { attribute: "received-label" },
    retryLabel: { attribute: "retry-label" },
    mismatchLabel: { attribute: "mismatch-label" },
    queueFullLabel: { attribute: "queue-full-label" },
    droppedLabel: { attribute: "dropped-label" },
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
  /** Placeholder of the input. Default `Type a message`. */
  placeholder = "Type a message";
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

  /** Label of the input. Default `Message`. */
  inputLabel = "Message";
  /** Text of the send button. Default `Send`. */
  sendLabel = "Send";
  /** Accessible name of the message list. Default `Messages`. */
  outputLabel = "Messages";
  /** Status word while connecting. Default `Connecting…`. */
  connectingLabel = "Connecting…";
  /** Status word while connected (the transport follows). Default `Connected`. */
  connectedLabel = "Connected";
  /** Status word while reconnecting. Default `Reconnecting…`. */
  reconnectingLabel = "Reconnecting…";
  /** Status word when disconnected. Default `Disconnected`. */
  disconnectedLabel = "Disconnected";
  /** State word of a message waiting for the connection. Default `queued`. */
  queuedLabel = "queued";
  /** State word of a message sent, echo pending. Default `sent`. */
  sentLabel = "sent";
  /** State word of a message whose echo came back. Default `echoed`. */
  echoedLabel = "echoed";
  /** State word of a message whose retries ran out. Default `failed`. */
  failedLabel = "failed";
  /** State word of an echo of nothing sent here. Default `received`. */
  receivedLabel = "received";
  /** Text of a failed entry's retry button. Default `Retry`. */
  retryLabel = "Retry";
  /** Mark on an echo that differs from what was sent. Default `changed in transit`. */
  mismatchLabel = "changed in transit";
  /** Notice when the offline queue is full; `{max}` is replaced by its size. */
  queueFullLabel =
    "Offline queue full ({max} messages): this one stays in the input until the connection is back.";
  /** Notice when a page reload found more unsent messages than the offline queue holds; `{count}` and `{max}` are replaced. */
  droppedLabel =
    "{count} unsent messages from before the page was reloaded were dropped: the offline queue holds {max}.";

  private status: ConnectionStatus = "disconnected";
  private transport: string | undefined;
  private notice = "";
  /** The notice outlives the next connect (it is not about the connection). */
  private noticeKeptOnConnect = false;

  private readonly log = new MessageLog(DEFAULT_MAX_MESSAGES);
  private readonly rtt = new RttStats();
  private readonly outbox = new Outbox(this.outboxOptions(), {
    transmit: (entry, attempt) => this.transmit(entry, attempt),
    changed: () => this.onOutboxChanged(),
    notice: (message) => this.setNotice(message ?? ""),
  });
  /** Each entry's text as last formatted, with the value it was formatted from: formatted once, not every frame. */
  private readonly texts = new WeakMap<MessageEntry, { value: unknown; text: string }>();
  private connection: EchoConnection | undefined;
  private store: UnsentStore | undefined;
  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly onPageHide = (): void => this.saveUnsent();
  /** What the live connection was opened with; a change of any of these reconnects. */
  private connectionKey = "";
  /** False once the reader scrolls up, so new messages do not pull the list away from them. */
  private stickToBottom = true;

  /** The rendered input and message list, looked up when used (as `@query` did). */
  private get input(): HTMLInputElement {
    return this.renderRoot.querySelector("input")!;
  }

  private get output(): HTMLElement {
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
    const entry = this.outbox.add(data);
    if (!entry) {
      this.setNotice(this.queueFullLabel.replace("{max}", String(this.maxQueued)));
      return false;
    }
    this.setNotice("");
    this.log.push(entry);
    this.requestUpdate();
    dispatch(this, "echo-socket-send", { id: entry.id, data });
    return true;
  }

  /** Empties the message list (messages still on their way keep going). */
  clear(): void {
    this.log.clear();
    this.requestUpdate();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    addEventListener("pagehide", this.onPageHide);
    this.requestUpdate(); // reconnects in updated() when the element comes back to a page
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    removeEventListener("pagehide", this.onPageHide);
    this.closeConnection();
    this.outbox.dispose();
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
      this.log.setMax(positiveInteger(this.maxMessages, DEFAULT_MAX_MESSAGES));
    }
  }

  protected override updated(): void {
    const key = JSON.stringify([this.url, this.path, this.sendEvent, this.echoEvent]);
    if (this.isConnected && key !== this.connectionKey) this.openConnection(key);
    if (this.stickToBottom) this.output.scrollTop = this.output.scrollHeight;
  }

  protected override render() {
    return html`
      <form part="form" @submit=${this.onSubmit}>
        <label for="input">${this.inputLabel}</label>
        <input id="input" part="input" type="text" autocomplete="off" enterkeyhint="send" placeholder=${this.placeholder} />
        <button part="send" type="submit">${this.sendLabel}</button>
      </form>
      ${this.notice ? html`<p part="notice" role="alert">${this.notice}</p>` : nothing}
      <div part="output" role="log" aria-live="polite" aria-label=${this.outputLabel} tabindex="0" @scroll=${this.onScroll}>
        ${repeat(this.log.entries, (entry) => entry.id, (entry) => this.renderEntry(entry))}
      </div>
      <p part="status" data-status=${this.status}>${this.statusText()}</p>
    `;
  }

  private renderEntry(entry: MessageEntry) {
    const shown = entry.state === "echoed" ? entry.echo : entry.data;
    const rtt = entry.rtt === undefined ? "" : ` · ${Math.round(entry.rtt)} ms`;
    return html`<div part="message" data-state=${entry.state} ?data-mismatch=${entry.mismatch}>
      <span class="text">${this.textOf(entry, shown)}</span>
      <span class="state">${this.stateLabel(entry.state)}${rtt}${entry.mismatch ? ` · ${this.mismatchLabel}` : ""}${entry.reason ? ` · ${entry.reason}` : ""}</span>
      ${entry.state === "failed"
        ? html`<button part="retry" type="button" @click=${() => this.outbox.retry(entry)}>${this.retryLabel}</button>`
        : nothing}
    </div>`;
  }

  /** `formatPayload`, once per entry and shown value (JSON of a large object is not redone every frame). */
  private textOf(entry: MessageEntry, value: unknown): string {
    const cached = this.texts.get(entry);
    if (cached && Object.is(cached.value, value)) return cached.text;
    const text = formatPayload(value);
    this.texts.set(entry, { value, text });
    return text;
  }

  private openConnection(key: string): void {
    this.closeConnection();
    this.connectionKey = key;
    const url = this.url || scriptOrigin();
    this.store = new UnsentStore(`echo-socket:unsent:${url}${this.path}:${this.sendEvent}${this.id ? `#${this.id}` : ""}`);
    this.restore(this.store);
    this.connection = new EchoConnection(
      { url, path: this.path, echoEvent: this.echoEvent },
      {
        onStatus: (status, transport) => this.onStatus(status, transport),
        onEcho: (args) => this.onEcho(args),
        onReady: () => this.outbox.serverEchoesIdsConfirmed(),
        onServerError: (message) => this.setNotice(message),
      },
    );
  }

  /** What an earlier page left unsent goes out again: at most `max-queued` messages; the reader is told of the rest. */
  private restore(store: UnsentStore): void {
    const max = positiveInteger(this.maxQueued, DEFAULT_MAX_QUEUED);
    const { messages, dropped } = store.take(max);
    for (const saved of messages) {
      const entry = this.outbox.add(saved.data, saved.messageId, true);
      if (entry) this.log.push(entry);
    }
    if (dropped > 0) {
      this.setNotice(this.droppedLabel.replace("{count}", String(dropped)).replace("{max}", String(max)), true);
    }
    this.requestUpdate();
  }

  private closeConnection(): void {
    this.connection?.close();
    this.connection = undefined;
    this.connectionKey = "";
    this.saveUnsent();
  }

  /** Read live, so changing `max-queued` or `retries` applies to the next message. */
  private outboxOptions(): OutboxOptions {
    const element = this;
    return {
      get maxQueued() {
        return positiveInteger(element.maxQueued, DEFAULT_MAX_QUEUED);
      },
      get retries() {
        return Number.isInteger(element.retries) && element.retries >= 0 ? element.retries : 3;
      },
    };
  }

  private transmit(entry: MessageEntry, attempt: number): void {
    this.connection?.emitWithAck(
      this.sendEvent,
      [entry.data, envelope(entry.messageId)],
      positiveInteger(this.ackTimeout, 10_000),
      (error, reply) => this.outbox.onAck(entry, attempt, error, reply as AckReply | undefined),
    );
  }

  private onOutboxChanged(): void {
    this.requestUpdate();
    this.scheduleSave();
  }

  /** Coalesced: writing every unsent message is O(unsent), so not once per acknowledgement. */
  private scheduleSave(): void {
    if (this.saveTimer !== undefined) return;
    this.saveTimer = setTimeout(() => this.saveUnsent(), SAVE_DELAY_MS);
  }

  private saveUnsent(): void {
    clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    this.store?.save(this.outbox.unsent());
  }

  private setNotice(text: string, keepOnConnect = false): void {
    this.notice = text;
    this.noticeKeptOnConnect = keepOnConnect;
  }

  private onStatus(status: ConnectionStatus, transport: string | undefined): void {
    if (status === this.status && transport === this.transport) return;
    const wasConnected = this.status === "connected";
    this.status = status;
    this.transport = transport;
    if (status === "connected" && !wasConnected && !this.noticeKeptOnConnect) this.setNotice("");
    if ((status === "connected") !== wasConnected) this.outbox.setConnected(status === "connected");
    dispatch(this, "echo-socket-status", { status, transport });
  }

  private onEcho(args: unknown[]): void {
    const { entry, duplicate } = this.outbox.onEcho(args);
    if (duplicate) return;
    const data = args[0];
    if (entry) {
      if (entry.rtt !== undefined) this.rtt.add(entry.rtt);
    } else {
      this.log.push(this.outbox.received(data));
      this.requestUpdate();
    }
    dispatch(this, "echo-socket-echo", { id: entry?.id, data, args: echoArguments(args), rtt: entry?.rtt });
  }

  private onSubmit(event: SubmitEvent): void {
    event.preventDefault();
    const text = this.input.value;
    if (text.trim() === "") return;
    if (!this.send(text)) return; // refused: the text stays for the reader to send later
    this.input.value = "";
    this.input.focus();
  }

  private onScroll(): void {
    const { scrollHeight, scrollTop, clientHeight } = this.output;
    this.stickToBottom = scrollHeight - scrollTop - clientHeight < 8;
  }

  private stateLabel(state: MessageState): string {
    const labels: Record<MessageState, string> = {
      queued: this.queuedLabel,
      sent: this.sentLabel,
      echoed: this.echoedLabel,
      failed: this.failedLabel,
      received: this.receivedLabel,
    };
    return labels[state];
  }

  private statusText(): string {
    const words: Record<ConnectionStatus, string> = {
      connecting: this.connectingLabel,
      connected: this.transport ? `${this.connectedLabel} (${this.transport})` : this.connectedLabel,
      reconnecting: this.reconnectingLabel,
      disconnected: this.disconnectedLabel,
    };
    const parts = [words[this.status]];
    const queued = this.outbox.queuedCount();
    if (queued > 0) parts.push(`${queued} ${this.queuedLabel}`);
    const rtt = this.rtt.summary();
    if (rtt) parts.push(`RTT ${Math.round(rtt.min)} / ${Math.round(rtt.median)} / ${Math.round(rtt.p95)} ms (min / median / p95)`);
    return parts.join(" · ");
  }
}

function positiveInteger(value: number, fallback: number): number {
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

// Guarded, so a page that includes the script twice keeps working.
if (!customElements.get("echo-socket")) customElements.define("echo-socket", EchoSocketElement);

declare global {
  interface HTMLElementTagNameMap {
    "echo-socket": EchoSocketElement;
  }
}
