import type { ResolvedAttachOptions } from "../options/attach-options.js";
import { binaryLength, OVERSIZE_ATTACHMENT } from "./payload-size.js";
import { TokenBucket } from "./token-bucket.js";
import type { GuardListeners, ListenedGuard, OutgoingPacket } from "./guard-listeners.js";
import { writeTogether, type BatchConnection } from "./polling-batch.js";
import { frameShapeProblem, WebSocketFrames, type FrameConnection, type FrameListener } from "./websocket-frames.js";
import { connectErrorPacket, PACKET, packetType, readPacketHead, standInPacket, type PacketHead } from "./wire.js";

type DataListener = (data: unknown) => void;

/** The engine.io connection (engine.io's `Socket`), as far as the guard uses it. */
export interface EngineConnection {
  readonly readyState: string;
  // biome-ignore lint/complexity/noBannedTypes: EventEmitter.listeners() returns Function[]
  listeners(event: "data"): Function[];
  // biome-ignore lint/suspicious/noExplicitAny: engine.io's listeners take arguments of any type (listener variance)
  on(event: string, listener: (...args: any[]) => void): unknown;
  // biome-ignore lint/suspicious/noExplicitAny: engine.io's listeners take arguments of any type (listener variance)
  off(event: string, listener: (...args: any[]) => void): unknown;
  write(data: string): unknown;
  close(discard?: boolean): unknown;
}

/** The echo session on a guarded connection: the echo namespace's socket, once it is connected. */
export interface GuardedSession {
  /** The echo of a plain message, made straight from its text (the fast path); undefined leaves it to socket.io. */
  tryFastEcho(text: string): string | undefined;
}

/** What the guard needs from the channel around it. */
export interface GuardHooks {
  options: ResolvedAttachOptions;
  listeners: GuardListeners<EngineConnection>;
  /** Where a disposed guard that another channel's guard wraps hands packets on (see `dispose`). */
  passThrough: WeakMap<EngineConnection, DataListener>;
  /** The channel's one listener on the WebSockets whose frames it takes. */
  frameListener: FrameListener;
  /** Whether the size limits apply to this packet (all of them on a server echo-socket made). */
  limited(head: PacketHead, text: string): boolean;
  /**
   * Whether socket.io-parser puts the very stand-in object into a decoded message (checked once at
   * startup): then a message too large is refused in order, by the echo handler; else its connection is closed.
   */
  standInsReachHandler: boolean;
  /** The connection's first namespace CONNECT was answered: the socket.io handshake is complete. */
  established(conn: EngineConnection): void;
  /** The guard closed the connection; `reason` says why, for the log. */
  closed(address: string, reason: string): void;
  /** Something threw inside the guard or below it; the connection is closed. */
  failed(address: string, error: unknown): void;
  /** The connection closed: forget its guard. */
  released(conn: EngineConnection): void;
  /** Whether WebSocket frames may be taken from engine.io (`fastPath` on, and no connection's shapes differed). */
  framesAllowed(): boolean;
  /** A connection's engine.io or ws shapes differ from the frame path's: it is turned off, with one log line. */
  framesRefused(problem: string): void;
}

/** Text a packet may have beyond its message: the event name, the namespace, separators, an ack id. */
const ENVELOPE_BYTES = 256;
/**
 * Largest CONNECT, DISCONNECT or CONNECT_ERROR packet from a client. A CONNECT carries the client's
 * `auth` (a token, and recovery's pid and offset after a drop), kept for the socket's life: a few
 * hundred bytes in practice, a few KB with a large token.
 */
const MAX_CONTROL_PACKET = 16 * 1024;
/** Namespace names a refusal may repeat back (a longer one is not a client's: its connection is closed). */
const MAX_NAMESPACE_ECHOED = 256;
/**
 * CONNECT packets a connection may send at once, and how fast that allowance comes back: room for a
 * page that joins many namespaces of a server of the user's, none for churning sockets in a loop.
 */
const CONNECT_BURST = 32;
const CONNECTS_PER_SECOND = 1;

/**
 * The one wrapper around socket.io's `data` listener on an engine.io connection. It counts what a
 * client spends before socket.io decodes anything: at most one CONNECT in flight per namespace and a
 * small CONNECT allowance (socket.io makes a socket for every CONNECT until the first completes); a
 * message whose text is over `maxMessageBytes` is never parsed (socket.io gets a one-attachment
 * stand-in of it, which the echo handler refuses in its turn); binary attachments are bounded in
 * bytes (past the bound socket.io gets the stand-in attachment) and in time (`handshakeTimeoutMs`).
 * Then the echo session's fast path, then socket.io. Nothing it does throws out of the listener.
 */
export class ConnectionGuard implements ListenedGuard {
  session: GuardedSession | undefined;
  private isEstablished = false;
  /** Namespaces whose CONNECT awaits its answer; undefined when none does (most of a connection's life). */
  private pending: Set<string> | undefined;
  /** The CONNECT allowance, made at a connection's second CONNECT: most send one. */
  private connects: TokenBucket | undefined;
  private connected = false;
  private socketIoBusy = false;
  private awaiting = 0;
  private attachmentBytes = 0;
  private attachmentTimer: ReturnType<typeof setTimeout> | undefined;
  /** Set while this connection's WebSocket frames come to the guard before engine.io (websocket-frames.ts). */
  private frames: WebSocketFrames | undefined;
  /** Fast echoes over long-polling waiting for the end of the tick (see `hold`). */
  private held: string[] | undefined;

  constructor(
    private readonly conn: EngineConnection,
    private readonly socketIoOnData: DataListener,
    private readonly hooks: GuardHooks,
    /** The client's address as the limits count it, for the log. */
    private readonly address: string,
  ) {
    const { listeners } = hooks;
    conn.off("data", socketIoOnData);
    conn.on("data", listeners.data);
    conn.on("close", listeners.close);
    conn.on("upgrade", listeners.upgrade);
    this.takeFrames();
  }

  /** Reads this connection's frames itself once it is on a WebSocket (from the start, or after an upgrade). */
  takeFrames(): void {
    try {
      if (this.frames || !this.hooks.framesAllowed()) return;
      const problem = frameShapeProblem(this.conn);
      if (problem) return this.hooks.framesRefused(problem);
      this.frames = WebSocketFrames.attach(this.conn as unknown as FrameConnection, this, this.hooks.frameListener);
    } catch (error) {
      this.fail(error);
    }
  }

  /**
   * Gives socket.io its own listener back; when another channel's guard has since wrapped this one,
   * this one's place in that chain hands every packet straight on instead.
   */
  dispose(): void {
    const { listeners } = this.hooks;
    this.closed();
    this.conn.off("close", listeners.close);
    this.conn.off("upgrade", listeners.upgrade);
    if (!this.conn.listeners("data").includes(listeners.data)) {
      this.hooks.passThrough.set(this.conn, this.socketIoOnData);
      return;
    }
    this.conn.off("data", listeners.data);
    if (!this.conn.listeners("data").includes(this.socketIoOnData)) this.conn.on("data", this.socketIoOnData);
  }

  /** engine.io's `data`: a packet's text, or a binary attachment. */
  receive(data: unknown): void {
    try {
      if (typeof data === "string") this.onText(data, false);
      else this.onBinary(data);
    } catch (error) {
      this.fail(error);
    }
  }

  /** A message the frame path took from the WebSocket, where engine.io would have emitted it as `data`. */
  receiveFrame(text: string): void {
    try {
      this.onText(text, true);
    } catch (error) {
      this.fail(error);
    }
  }

  private onText(text: string, fromFrame: boolean): void {
    const type = packetType(text);
    const { maxMessageBytes } = this.hooks.options;
    const limit = maxMessageBytes + ENVELOPE_BYTES;
    // Short packets are under the limit for sure; CONNECTs and binary ones are read whatever their size.
    const read = type === PACKET.CONNECT || type >= PACKET.BINARY_EVENT || text.length > Math.min(maxMessageBytes / 3, MAX_CONTROL_PACKET);
    const head = read ? readPacketHead(text) : undefined;
    if (read && !head) return this.close("an unreadable packet"); // socket.io might read it otherwise, uncounted
    // socket.io keeps a CONNECT's auth for the socket's life, and echoes a namespace name back: both stay small.
    if (head && !carriesMessage(head.type) && text.length > MAX_CONTROL_PACKET) return this.controlTooLarge(head);
    if (head?.type === PACKET.CONNECT && !this.admitConnect(head.namespace)) return;
    if (head && carriesMessage(head.type) && this.hooks.limited(head, text)) {
      // The whole text counts, namespace and ack id too: nothing in a packet is free.
      const bytes = text.length > limit ? limit + 1 : Buffer.byteLength(text);
      if (bytes > limit) return this.tooLarge(head);
      if (head.attachments > 0) this.expectAttachments(head.attachments, bytes);
    }
    if (type === PACKET.EVENT && !this.socketIoBusy && this.awaiting === 0 && this.session) {
      const echo = this.session.tryFastEcho(text);
      if (echo !== undefined) return this.reply(echo, fromFrame);
    }
    this.forward(text);
  }

  /** A fast echo goes straight to the WebSocket when that overtakes nothing, else through engine.io. */
  private reply(packet: string, fromFrame: boolean): void {
    const frames = this.frames;
    if (fromFrame && frames?.writable) frames.write(packet);
    else if ((this.conn as { transport?: { name?: string } }).transport?.name === "polling") this.hold(packet);
    else this.conn.write(packet);
  }

  /**
   * Over long-polling, fast echoes of one read are written together at the end of the tick: engine.io
   * answers a waiting GET with the first packet written, so the echoes of a POST of k messages went
   * out in k responses, each costing the client another GET.
   */
  private hold(packet: string): void {
    if (this.held) return void this.held.push(packet);
    this.held = [packet];
    process.nextTick(writeHeld, this);
  }

  /** Writes the fast echoes held this tick (socket.io's own replies, answered on the next tick, come after them). */
  writeHeld(): void {
    const packets = this.held;
    this.held = undefined;
    if (packets) writeTogether(this.conn as unknown as BatchConnection, packets);
  }

  private onBinary(data: unknown): void {
    if (this.awaiting === 0) return this.forward(data); // not ours to count (socket.io rejects a stray one)
    this.awaiting--;
    this.attachmentBytes += binaryLength(data);
    const over = this.attachmentBytes > this.hooks.options.maxMessageBytes + ENVELOPE_BYTES;
    if (this.awaiting === 0) this.clearAttachmentTimer();
    if (over && !this.hooks.standInsReachHandler) return this.close("binary attachments over the size limit");
    // Past the bound the bytes are dropped here: socket.io completes the message with stand-ins and
    // the echo handler refuses it, with its id and acknowledgement, as too large.
    this.forward(over ? OVERSIZE_ATTACHMENT : data);
  }

  private forward(data: unknown): void {
    // As engine.io calls it: another channel's guard listener finds its guard by `this`.
    this.socketIoOnData.call(this.conn, data);
    if (!this.socketIoBusy) {
      this.socketIoBusy = true;
      // Queued after socket.io's own dispatch (next tick): until then, fast echoes would overtake it.
      process.nextTick(() => void (this.socketIoBusy = false));
    }
  }

  /**
   * A message too large to read. An event goes to socket.io as a stand-in (the receive event with one
   * oversize attachment, same namespace and ack id), so the echo handler refuses it in its place in
   * line, as the acknowledgement it asked for. An ACK (the server asks for none) is dropped unread.
   */
  private tooLarge(head: PacketHead): void {
    if (head.type === PACKET.ACK) return;
    if (head.type !== PACKET.EVENT || !this.hooks.standInsReachHandler) return this.close("a message over the size limit");
    this.forward(standInPacket(head.namespace, head.ackId, this.hooks.options.receiveEvent));
    this.forward(OVERSIZE_ATTACHMENT);
  }

  /**
   * A CONNECT too large to read is answered with a CONNECT_ERROR saying so (socket.io-client then
   * reports it as `connect_error` and stops retrying, where a closed connection would reconnect in a
   * loop); it still spends the CONNECT allowance. Any other control packet that large closes the connection.
   */
  private controlTooLarge(head: PacketHead): void {
    if (head.type !== PACKET.CONNECT || head.namespace.length > MAX_NAMESPACE_ECHOED) return this.close("a control packet over the size limit");
    if (!this.admitConnectCount()) return this.close("too many CONNECT packets");
    this.conn.write(connectErrorPacket(head.namespace, `The CONNECT packet is over ${MAX_CONTROL_PACKET} bytes: send a smaller auth payload.`));
  }

  /** At most one CONNECT in flight per namespace, and a small allowance over time. */
  private admitConnect(namespace: string): boolean {
    if (this.pending?.has(namespace)) {
      this.close("a second CONNECT while one is in progress");
      return false;
    }
    if (!this.admitConnectCount()) {
      this.close("too many CONNECT packets");
      return false;
    }
    if (!this.pending) {
      this.pending = new Set();
      this.conn.on("packetCreate", this.hooks.listeners.outgoing);
    }
    this.pending.add(namespace);
    return true;
  }

  /** Spends one CONNECT of the allowance: the first is free, the bucket (full at the second) holds the rest. */
  private admitConnectCount(): boolean {
    if (!this.connected) {
      this.connected = true;
      return true;
    }
    if (!this.connects) {
      this.connects = new TokenBucket(CONNECTS_PER_SECOND, CONNECT_BURST);
      return this.connects.take(2) === 0; // this CONNECT and the first
    }
    return this.connects.take() === 0;
  }

  /** engine.io's `packetCreate`, listened to while a CONNECT is pending: watches the server's answers to CONNECTs. */
  outgoing(packet: OutgoingPacket): void {
    try {
      if (packet.type !== "message" || typeof packet.data !== "string") return;
      const type = packetType(packet.data);
      if (type !== PACKET.CONNECT && type !== PACKET.CONNECT_ERROR) return;
      const head = readPacketHead(packet.data);
      if (!head || !this.pending?.delete(head.namespace)) return;
      if (this.pending.size === 0) this.stopWatchingConnects();
      if (type === PACKET.CONNECT && !this.isEstablished) {
        this.isEstablished = true;
        this.hooks.established(this.conn);
      }
    } catch (error) {
      this.fail(error);
    }
  }

  private stopWatchingConnects(): void {
    if (this.pending) this.conn.off("packetCreate", this.hooks.listeners.outgoing);
    this.pending = undefined;
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
    this.hooks.closed(this.address, reason);
    this.conn.close(true); // discard: a polling client need not come back for its close packet
  }

  private fail(error: unknown): void {
    this.hooks.failed(this.address, error);
    this.conn.close(true);
  }

  /** engine.io's `close` (and `dispose()`): lets go of everything the guard holds for the connection. */
  closed(): void {
    try {
      this.clearAttachmentTimer();
      this.awaiting = 0;
      this.stopWatchingConnects();
      this.session = undefined;
      this.frames?.dispose();
      this.frames = undefined;
      this.hooks.released(this.conn);
    } catch (error) {
      this.hooks.failed(this.address, error);
    }
  }
}

function writeHeld(guard: ConnectionGuard): void {
  guard.writeHeld();
}

/** Events and acks carry messages (the size limit's business); CONNECT, DISCONNECT and CONNECT_ERROR do not. */
function carriesMessage(type: number): boolean {
  return type === PACKET.EVENT || type === PACKET.ACK || type === PACKET.BINARY_EVENT || type === PACKET.BINARY_ACK;
}
