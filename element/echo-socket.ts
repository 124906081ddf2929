import { LitElement, html, type PropertyValues } from "lit";
import { property, query, state } from "lit/decorators.js";
import { repeat } from "lit/directives/repeat.js";
import { EchoConnection, type ConnectionStatus } from "./connection.js";
import { dispatch } from "./events.js";
import { formatPayload } from "./format.js";
import { MessageLog, type MessageEntry, type MessageState } from "./message-log.js";
import { scriptOrigin } from "./script-origin.js";
import { styles } from "./styles.js";

export type { ConnectionStatus } from "./connection.js";
export type { EchoReceiveDetail, EchoSendDetail, EchoSocketEventMap, EchoStatusDetail } from "./events.js";
export type { MessageState } from "./message-log.js";

const DEFAULT_MAX_MESSAGES = 500;

/**
 * A message box on a live socket.io echo channel: type a message, send it, and read each echo as
 * it comes back. Messages always render as text, never as HTML.
 *
 * @summary Input, send button and output list talking to a socket.io echo server.
 *
 * @fires echo-socket-send - A message was sent, or queued while offline. `detail`: `{ id, data }`.
 * @fires echo-socket-echo - An echo arrived. `detail`: `{ id, data, args }` (`id` is undefined for an echo of nothing sent here).
 * @fires echo-socket-status - The connection status changed. `detail`: `{ status, transport }`.
 *
 * @csspart form - The form holding the label, input and button.
 * @csspart input - The text input.
 * @csspart send - The send button.
 * @csspart output - The message list (`role="log"`).
 * @csspart message - One entry; `data-state` is `queued`, `sent`, `echoed` or `received`.
 * @csspart status - The connection status line; `data-status` is the status.
 *
 * @cssprop [--echo-socket-background=#ffffff / #0d1117] - Background.
 * @cssprop [--echo-socket-color=#1b1f24 / #e6edf3] - Text colour.
 * @cssprop [--echo-socket-muted-color=#57606a / #9198a1] - Labels, states and status.
 * @cssprop [--echo-socket-border-color=#d0d7de / #3d444d] - Borders.
 * @cssprop [--echo-socket-accent-color=#0b5cd5 / #4493f8] - The send button and received entries.
 * @cssprop [--echo-socket-accent-text-color=#ffffff / #0d1117] - Text on the accent colour.
 * @cssprop [--echo-socket-entry-background=#f6f8fa / #161b22] - Message entries.
 * @cssprop [--echo-socket-focus-color=#0b5cd5 / #4493f8] - The focus ring.
 * @cssprop [--echo-socket-font=1rem/1.4 system-ui, sans-serif] - Font.
 * @cssprop [--echo-socket-spacing=0.5rem] - Gaps and padding.
 * @cssprop [--echo-socket-radius=6px] - Corner radius.
 * @cssprop [--echo-socket-output-height=16rem] - Height of the message list.
 */
export class EchoSocketElement extends LitElement {
  static override styles = styles;

  /** Server URL. Empty (the default): the origin this script was loaded from, else the page's origin. */
  @property() url = "";
  /** socket.io path on the server. Default `/socket.io`. */
  @property() path = "/socket.io";
  /** Event emitted with each message. Default `ms`. */
  @property({ attribute: "send-event" }) sendEvent = "ms";
  /** Event the server answers with. Default `echo`. */
  @property({ attribute: "echo-event" }) echoEvent = "echo";
  /** Placeholder of the input. Default `Type a message`. */
  @property() placeholder = "Type a message";
  /** Most entries kept in the list; older ones leave the DOM. Default 500. */
  @property({ type: Number, attribute: "max-messages" }) maxMessages = DEFAULT_MAX_MESSAGES;

  /** Label of the input. Default `Message`. */
  @property({ attribute: "input-label" }) inputLabel = "Message";
  /** Text of the send button. Default `Send`. */
  @property({ attribute: "send-label" }) sendLabel = "Send";
  /** Accessible name of the message list. Default `Messages`. */
  @property({ attribute: "output-label" }) outputLabel = "Messages";
  /** Status word while connecting. Default `Connecting…`. */
  @property({ attribute: "connecting-label" }) connectingLabel = "Connecting…";
  /** Status word while connected (the transport follows). Default `Connected`. */
  @property({ attribute: "connected-label" }) connectedLabel = "Connected";
  /** Status word while reconnecting. Default `Reconnecting…`. */
  @property({ attribute: "reconnecting-label" }) reconnectingLabel = "Reconnecting…";
  /** Status word when disconnected. Default `Disconnected`. */
  @property({ attribute: "disconnected-label" }) disconnectedLabel = "Disconnected";
  /** State word of a message waiting for the connection. Default `queued`. */
  @property({ attribute: "queued-label" }) queuedLabel = "queued";
  /** State word of a message sent, echo pending. Default `sent`. */
  @property({ attribute: "sent-label" }) sentLabel = "sent";
  /** State word of a message whose echo came back. Default `echoed`. */
  @property({ attribute: "echoed-label" }) echoedLabel = "echoed";
  /** State word of an echo of nothing sent here. Default `received`. */
  @property({ attribute: "received-label" }) receivedLabel = "received";

  @state() private status: ConnectionStatus = "disconnected";
  @state() private transport: string | undefined;
  @state() private entries: MessageEntry[] = [];

  @query("input") private input!: HTMLInputElement;
  @query('[part~="output"]') private output!: HTMLElement;

  private readonly log = new MessageLog(DEFAULT_MAX_MESSAGES);
  private connection: EchoConnection | undefined;
  /** What the live connection was opened with; a change of any of these reconnects. */
  private connectionKey = "";
  /** False once the reader scrolls up, so new messages do not pull the list away from them. */
  private stickToBottom = true;

  /** The connection status right now. */
  get connectionStatus(): ConnectionStatus {
    return this.status;
  }

  /** Sends `data` (any value socket.io can carry), or queues it until the connection is up. */
  send(data: unknown): void {
    const connection = this.connection?.connected ? this.connection : undefined;
    const entry = this.log.add(data, connection ? "sent" : "queued");
    connection?.emit(this.sendEvent, [data]);
    this.entries = this.log.entries;
    dispatch(this, "echo-socket-send", { id: entry.id, data });
  }

  /** Empties the message list. */
  clear(): void {
    this.log.clear();
    this.entries = this.log.entries;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.requestUpdate(); // reconnects in updated() when the element comes back to a page
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.closeConnection();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has("maxMessages")) {
      const max = Number.isInteger(this.maxMessages) && this.maxMessages > 0 ? this.maxMessages : DEFAULT_MAX_MESSAGES;
      this.log.setMax(max);
      this.entries = this.log.entries;
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
      <div part="output" role="log" aria-live="polite" aria-label=${this.outputLabel} tabindex="0" @scroll=${this.onScroll}>
        ${repeat(
          this.entries,
          (entry) => entry.id,
          (entry) => html`<div part="message" data-state=${entry.state}>
            <span class="text">${formatPayload(entry.state === "echoed" ? entry.echo : entry.data)}</span>
            <span class="state">${this.stateLabel(entry.state)}</span>
          </div>`,
        )}
      </div>
      <p part="status" data-status=${this.status}>${this.statusText()}</p>
    `;
  }

  private openConnection(key: string): void {
    this.closeConnection();
    this.connectionKey = key;
    this.connection = new EchoConnection(
      { url: this.url || scriptOrigin(), path: this.path, echoEvent: this.echoEvent },
      {
        onStatus: (status, transport) => this.onStatus(status, transport),
        onEcho: (args) => this.onEcho(args),
      },
    );
  }

  private closeConnection(): void {
    this.connection?.close();
    this.connection = undefined;
    this.connectionKey = "";
    this.log.forgetAwaiting();
  }

  private onStatus(status: ConnectionStatus, transport: string | undefined): void {
    if (status === this.status && transport === this.transport) return;
    this.status = status;
    this.transport = transport;
    if (status === "connected") this.flushQueue();
    else this.log.forgetAwaiting(); // a plain echo server does not answer what it lost
    dispatch(this, "echo-socket-status", { status, transport });
  }

  private flushQueue(): void {
    for (const entry of this.log.queued()) {
      this.connection!.emit(this.sendEvent, [entry.data]);
      this.log.markSent(entry);
    }
    this.entries = this.log.entries;
  }

  private onEcho(args: unknown[]): void {
    const data = args[0];
    const entry = this.log.echo(data);
    this.entries = this.log.entries;
    dispatch(this, "echo-socket-echo", { id: entry.state === "echoed" ? entry.id : undefined, data, args });
  }

  private onSubmit(event: SubmitEvent): void {
    event.preventDefault();
    const text = this.input.value;
    if (text.trim() === "") return;
    this.send(text);
    this.input.value = "";
    this.input.focus();
  }

  private onScroll(): void {
    const { scrollHeight, scrollTop, clientHeight } = this.output;
    this.stickToBottom = scrollHeight - scrollTop - clientHeight < 8;
  }

  private stateLabel(state: MessageState): string {
    return { queued: this.queuedLabel, sent: this.sentLabel, echoed: this.echoedLabel, received: this.receivedLabel }[state];
  }

  private statusText(): string {
    switch (this.status) {
      case "connecting":
        return this.connectingLabel;
      case "connected":
        return this.transport ? `${this.connectedLabel} (${this.transport})` : this.connectedLabel;
      case "reconnecting":
        return this.reconnectingLabel;
      case "disconnected":
        return this.disconnectedLabel;
    }
  }
}

// Guarded, so a page that includes the script twice keeps working.
if (!customElements.get("echo-socket")) customElements.define("echo-socket", EchoSocketElement);

declare global {
  interface HTMLElementTagNameMap {
    "echo-socket": EchoSocketElement;
  }
}
