import type { ResolvedAttachOptions } from "./attach-options.js";
import { OVERSIZE_ATTACHMENT } from "./payload-size.js";
import { TokenBucket } from "./token-bucket.js";
import { PACKET, readPacketHead, type PacketHead } from "./wire.js";

type DataListener = (data: unknown) => void;

/** The engine.io connection (engine.io's `Socket`), as far as the guard uses it. */
export interface EngineConnection {
  readonly readyState: string;
  listeners(event: "data"): Function[];
  on(event: string, listener: (...args: any[]) => void): unknown;
  off(event: string, listener: (...args: any[]) => void): unknown;
  write(data: string): unknown;
  close(discard?: boolean): unknown;
}

/** The echo session on a guarded connection: the echo namespace's socket, once it is connected. */
export interface GuardedSession {
  /** Echoes a plain message straight from its text (the fast path); false leaves it to socket.io. */
  tryFastEcho(text: string): boolean;
  /** Refuses a message too large to decode, as its acknowledgement when it asked for one. */
  refuseUndecoded(ackId: string | undefined): void;
}

/** What the guard needs from the channel around it. */
export interface GuardHooks {
  options: ResolvedAttachOptions;
  /** Whether the size limits apply to this packet (all of them on a server echo-socket made). */
  limited(head: PacketHead, text: string): boolean;
  /** A refusal for a packet that has no session to go through (another namespace). */
  refuseElsewhere(conn: EngineConnection, head: PacketHead): void;
  /** The connection's first namespace CONNECT was answered: the socket.io handshake is complete. */
  established(conn: EngineConnection): void;
  /** The guard closed the connection; `reason` says why, for the log. */
  closed(conn: EngineConnection, reason: string): void;
  /** Something threw inside the guard or below it; the connection was closed. */
  failed(conn: EngineConnection, error: unknown): void;
  /** The connection closed: forget its guard. */
  released(conn: EngineConnection): void;
}

/** Text a packet may have beyond its message: the event name, separators, an ack id. */
export const ENVELOPE_BYTES = 256;
/**
 * CONNECT packets a connection may send at once, and how fast that allowance comes back: room for a
 * page that joins many namespaces of a server of the user's, none for churning sockets in a loop.
 */
const CONNECT_BURST = 32;
const CONNECTS_PER_SECOND = 1;

/**
 * The one wrapper around socket.io's `data` listener on an engine.io connection. It counts what a
 * client spends before socket.io decodes anything: at most one CONNECT in flight per namespace and a
 * small CONNECT allowance (socket.io makes a socket for every CONNECT until the first completes), a
 * packet whose text is over `maxMessageBytes` refused unread, binary attachments bounded in bytes
 * (past the bound socket.io gets an empty stand-in) and in time (`handshakeTimeoutMs`). Then the
 * echo session's fast path, then socket.io. Nothing it does throws out of the listener.
 */
export class ConnectionGuard {
  session: GuardedSession | undefined;
  private isEstablished = false;
  private pending: Set<string> | undefined;
  private connects: TokenBucket | undefined;
  private socketIoBusy = false;
  private awaiting = 0;
  private attachmentBytes = 0;
  private attachmentTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly conn: EngineConnection,
    private readonly socketIoOnData: DataListener,
    private readonly hooks: GuardHooks,
  ) {
    conn.off("data", socketIoOnData);
    conn.on("data", this.onData);
    conn.on("close", this.onClose);
  }

  /** Gives socket.io its own listener back. */
  dispose(): void {
    this.onClose();
    this.conn.off("close", this.onClose);
    this.conn.off("data", this.onData);
    if (!this.conn.listeners("data").includes(this.socketIoOnData)) this.conn.on("data", this.socketIoOnData);
  }

  private readonly onData = (data: unknown): void => {
    try {
      if (typeof data === "string") this.onText(data);
      else this.onBinary(data);
    } catch (error) {
      this.hooks.failed(this.conn, error);
      this.conn.close(true);
    }
  };

  private onText(text: string): void {
    const type = text.charCodeAt(0) - 48;
    if (type === PACKET.CONNECT) {
      const head = readPacketHead(text);
      // A head the guard cannot read (an ack id of 17+ digits, say) might still parse in socket.io: refuse it.
      if (!head) return this.close("an unreadable CONNECT packet");
      if (!this.admitConnect(head.namespace)) return;
    } else if (type === PACKET.EVENT || type === PACKET.ACK || type === PACKET.BINARY_EVENT || type === PACKET.BINARY_ACK) {
      const { maxMessageBytes } = this.hooks.options;
      // Short text packets are under the limit for sure; binary ones announce attachments to count.
      const read = text.length > maxMessageBytes / 3 || type >= PACKET.BINARY_EVENT;
      const head = read ? readPacketHead(text) : undefined;
      if (read && !head) return this.close("an unreadable packet"); // socket.io might parse it, uncounted
      if (head && this.hooks.limited(head, text)) {
        const bytes = utf8Bytes(text, head.bodyStart, maxMessageBytes + ENVELOPE_BYTES);
        if (bytes > maxMessageBytes + ENVELOPE_BYTES) return this.refuse(head);
        if (head.attachments > 0) this.expectAttachments(head.attachments, bytes);
      }
      if (type === PACKET.EVENT && !this.socketIoBusy && this.awaiting === 0 && this.session?.tryFastEcho(text)) return;
    }
    this.forward(text);
  }

  private onBinary(data: unknown): void {
    if (this.awaiting === 0) return this.forward(data); // not ours to count (socket.io rejects a stray one)
    this.awaiting--;
    this.attachmentBytes += byteLength(data);
    const over = this.attachmentBytes > this.hooks.options.maxMessageBytes + ENVELOPE_BYTES;
    if (this.awaiting === 0) this.clearAttachmentTimer();
    // Past the bound the bytes are dropped here: socket.io completes the packet with stand-ins and
    // the echo handler refuses it, with its id and acknowledgement, as too large.
    this.forward(over ? OVERSIZE_ATTACHMENT : data);
  }

  private forward(data: unknown): void {
    this.socketIoOnData(data);
    if (!this.socketIoBusy) {
      this.socketIoBusy = true;
      // Queued after socket.io's own dispatch (next tick): until then, fast echoes would overtake it.
      process.nextTick(() => void (this.socketIoBusy = false));
    }
  }

  private refuse(head: PacketHead): void {
    // Behind packets socket.io dispatches on the next tick, so the refusal keeps its place in line.
    if (this.socketIoBusy) return void process.nextTick(() => this.refuseNow(head));
    this.refuseNow(head);
  }

  private refuseNow(head: PacketHead): void {
    if (this.conn.readyState !== "open") return;
    if (head.attachments > 0) return this.close("a message over the size limit with binary attachments");
    if (this.session && head.namespace === this.hooks.options.namespace) this.session.refuseUndecoded(head.ackId);
    else this.hooks.refuseElsewhere(this.conn, head);
  }

  /** At most one CONNECT in flight per namespace, and a small allowance over time. */
  private admitConnect(namespace: string): boolean {
    this.connects ??= new TokenBucket(CONNECTS_PER_SECOND, CONNECT_BURST);
    if (this.pending?.has(namespace)) return this.close("a second CONNECT while one is in progress"), false;
    if (this.connects.take() > 0) return this.close("too many CONNECT packets"), false;
    if (!this.pending || this.pending.size === 0) {
      this.pending ??= new Set();
      this.conn.on("packetCreate", this.onOutgoing);
    }
    this.pending.add(namespace);
    return true;
  }

  /** Watches the server's answers to CONNECTs (only while one is pending). */
  private readonly onOutgoing = (packet: { type: string; data?: unknown }): void => {
    try {
      this.answered(packet);
    } catch (error) {
      this.hooks.failed(this.conn, error);
      this.conn.close(true);
    }
  };

  private answered(packet: { type: string; data?: unknown }): void {
    if (packet.type !== "message" || typeof packet.data !== "string") return;
    const type = packet.data.charCodeAt(0) - 48;
    if (type !== PACKET.CONNECT && type !== PACKET.CONNECT_ERROR) return;
    const head = readPacketHead(packet.data);
    if (!head || !this.pending?.delete(head.namespace)) return;
    if (this.pending.size === 0) this.conn.off("packetCreate", this.onOutgoing);
    if (type === PACKET.CONNECT && !this.isEstablished) {
      this.isEstablished = true;
      this.hooks.established(this.conn);
    }
  }

  private expectAttachments(count: number, textBytes: number): void {
    this.awaiting = count;
    this.attachmentBytes = textBytes;
    this.clearAttachmentTimer();
    const { handshakeTimeoutMs } = this.hooks.options;
    this.attachmentTimer = setTimeout(() => this.close(`binary attachments not sent within ${handshakeTimeoutMs} ms`), handshakeTimeoutMs);
    this.attachmentTimer.unref();
  }

  private clearAttachmentTimer(): void {
    if (this.attachmentTimer !== undefined) clearTimeout(this.attachmentTimer);
    this.attachmentTimer = undefined;
  }

  private close(reason: string): void {
    if (this.conn.readyState === "closed") return;
    this.hooks.closed(this.conn, reason);
    this.conn.close(true); // discard: a polling client need not come back for its close packet
  }

  private readonly onClose = (): void => {
    this.clearAttachmentTimer();
    this.awaiting = 0;
    if (this.pending?.size) this.conn.off("packetCreate", this.onOutgoing);
    this.pending = undefined;
    this.session = undefined;
    this.hooks.released(this.conn);
  };
}

/** UTF-8 bytes of `text` from `start`, counted exactly only when the UTF-16 length leaves it in doubt. */
function utf8Bytes(text: string, start: number, limit: number): number {
  const units = text.length - start;
  if (units > limit || units * 3 <= limit) return units; // over for sure, or under for sure
  return Buffer.byteLength(start === 0 ? text : text.slice(start));
}

function byteLength(data: unknown): number {
  return data instanceof ArrayBuffer || ArrayBuffer.isView(data) ? data.byteLength : 0;
}
