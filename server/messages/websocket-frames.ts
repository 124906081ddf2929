/**
 * The WebSocket frame path: engine.io message frames (`4…`) on a WebSocket connection are read
 * straight from `ws`, and fast echoes are written straight back to it, skipping engine.io's
 * decode, `packet`/`data` events, write buffer, flush and per-packet send callbacks. It only takes
 * a frame when engine.io would do nothing with it but hand its text to the `data` listener (the
 * connection guard): the connection is open and still on this transport, nobody else listens to
 * its packets, and no ping timeout is waiting to be refreshed. A reply goes straight to `ws` only
 * when engine.io holds nothing unsent for the connection (else it would overtake it) and nobody
 * watches outgoing packets. Replies of one read are written together (the socket is corked until
 * the end of the tick): one write for a batch, not one per echo.
 *
 * Every engine.io and `ws` member it uses is checked on each connection before it is used
 * (`frameShapeProblem`); the first connection whose shapes differ turns the frame path off for the
 * channel, with one log line, and echoes keep engine.io's path.
 */

/** The `ws` WebSocket under engine.io's WebSocket transport, as far as the frame path uses it. */
export interface FrameSocket {
  readonly readyState: number;
  readonly extensions: string;
  readonly bufferedAmount: number;
  // biome-ignore lint/complexity/noBannedTypes: EventEmitter.listeners() returns Function[]
  listeners(event: "message"): Function[];
  on(event: "message", listener: EngineFrameListener): unknown;
  off(event: "message", listener: EngineFrameListener): unknown;
  send(data: string): void;
  /** The TCP socket under it (ws keeps it as `_socket`): corked while a batch of replies is written. */
  readonly _socket: { cork(): void; uncork(): void };
}

type EngineFrameListener = (data: Buffer | string, isBinary: boolean) => void;

/** Who gets the message frames taken from engine.io: the connection's guard. */
export interface FrameReceiver {
  /** A message as engine.io would have emitted it as `data` (the frame's text after its `4`). */
  receiveFrame(text: string): void;
}

/** engine.io's connection (its `Socket`), as far as the frame path reads it. */
export interface FrameConnection {
  readonly readyState: string;
  readonly protocol: number;
  readonly transport: unknown;
  readonly writeBuffer: readonly unknown[];
  readonly pingTimeoutTimer: unknown;
  readonly hasRefreshedPingTimeout: boolean;
  listenerCount(event: string): number;
}

interface FrameTransport {
  readonly name: string;
  readonly socket: FrameSocket;
  listenerCount(event: string): number;
}

const WS_OPEN = 1;
const ENGINE_MESSAGE = 52; // "4": engine.io's message packet

/**
 * Why the engine.io server's setup rules the frame path out, or undefined when it does not: checked
 * once, when the channel attaches. Another WebSocket engine (uWebSockets.js, a `ws` look-alike) or
 * compression change what a frame is; the default is `ws`'s WebSocketServer without compression.
 */
export function frameEngineProblem(engine: unknown): string | undefined {
  const opts = (engine as { opts?: { wsEngine?: unknown; perMessageDeflate?: unknown; transports?: unknown } }).opts;
  if (!opts) return "the engine.io server has no options object";
  if (opts.perMessageDeflate) return "perMessageDeflate is on (engine.io decides per packet whether to compress)";
  if (typeof opts.wsEngine !== "function" || opts.wsEngine.name !== "WebSocketServer") return "wsEngine is not ws's WebSocketServer";
  return undefined;
}

/**
 * Why this connection's shapes are not the ones the frame path was written against (engine.io 6.6,
 * ws 8), or undefined when they are. Checked before a connection's frames are taken.
 */
export function frameShapeProblem(conn: unknown): string | undefined {
  const c = conn as Partial<Record<keyof FrameConnection, unknown>>;
  if (c.protocol !== 4) return undefined; // not a problem: EIO=3 clients simply keep engine.io's path
  if (!Array.isArray(c.writeBuffer)) return "engine.io's Socket has no writeBuffer array";
  if (!("pingTimeoutTimer" in c) || typeof c.hasRefreshedPingTimeout !== "boolean") return "engine.io's Socket has no ping timeout state";
  const transport = c.transport as Partial<FrameTransport> | undefined;
  if (transport?.name !== "websocket") return undefined; // polling: nothing to check
  if (typeof transport.listenerCount !== "function" || transport.listenerCount("packet") !== 1)
    return "engine.io's WebSocket transport has other packet listeners";
  const ws = transport.socket as Partial<FrameSocket> | undefined;
  if (typeof ws?.send !== "function" || typeof ws.listeners !== "function" || typeof ws.bufferedAmount !== "number" || typeof ws.extensions !== "string")
    return "the transport's WebSocket is not a ws WebSocket";
  if (ws.listeners("message").length !== 1) return "the transport's WebSocket has other message listeners";
  if (typeof ws._socket?.cork !== "function" || typeof ws._socket.uncork !== "function") return "the WebSocket has no TCP socket to cork";
  return undefined;
}

/**
 * One channel's `message` listener on the WebSockets whose frames it takes, shared by them all (`ws`
 * calls it with the WebSocket as `this`): a closure per connection cost 70 bytes of each.
 */
export class FrameListener {
  readonly byWebSocket = new WeakMap<FrameSocket, WebSocketFrames>();
  readonly listener: EngineFrameListener;

  constructor() {
    const byWebSocket = this.byWebSocket;
    this.listener = function onFrame(this: FrameSocket, data: Buffer | string, isBinary: boolean): void {
      byWebSocket.get(this)?.onFrame(data, isBinary);
    };
  }
}

/** Takes one connection's message frames from engine.io, for as long as it lasts or until `dispose()`. */
export class WebSocketFrames {
  private corked = false;
  private disposed = false;
  private readonly ws: FrameSocket;
  private readonly engineListener: EngineFrameListener;

  /** A frame path for `conn` if it is on an open `ws` WebSocket without compression, else undefined. */
  static attach(conn: FrameConnection, guard: FrameReceiver, listener: FrameListener): WebSocketFrames | undefined {
    const transport = conn.transport as FrameTransport;
    if (conn.protocol !== 4 || transport.name !== "websocket") return undefined;
    // Compressed frames keep engine.io's path: it decides per packet whether to compress.
    if (transport.socket.extensions !== "" || transport.socket.readyState !== WS_OPEN) return undefined;
    return new WebSocketFrames(conn, transport, guard, listener);
  }

  private constructor(
    private readonly conn: FrameConnection,
    private readonly transport: FrameTransport,
    private readonly guard: FrameReceiver,
    private readonly listener: FrameListener,
  ) {
    this.ws = transport.socket;
    this.engineListener = this.ws.listeners("message")[0] as EngineFrameListener;
    this.ws.off("message", this.engineListener);
    listener.byWebSocket.set(this.ws, this);
    this.ws.on("message", listener.listener);
  }

  /**
   * Gives engine.io its listener back; when another channel's frame path has since wrapped this one,
   * this one stays in its chain and hands every frame on.
   */
  dispose(): void {
    if (!this.ws.listeners("message").includes(this.listener.listener)) {
      this.disposed = true;
      return;
    }
    this.ws.off("message", this.listener.listener);
    this.listener.byWebSocket.delete(this.ws);
    if (!this.ws.listeners("message").includes(this.engineListener)) this.ws.on("message", this.engineListener);
  }

  /** True when a reply may go straight to the WebSocket without overtaking or hiding anything. */
  get writable(): boolean {
    const { conn } = this;
    return (
      conn.writeBuffer.length === 0 && this.ws.readyState === WS_OPEN && conn.listenerCount("packetCreate") <= 1 // the message guard's own byte count, and nobody else's
    );
  }

  /** Writes one socket.io packet as an engine.io message frame; the batch goes out at the end of the tick. */
  write(packet: string): void {
    if (!this.corked) {
      this.corked = true;
      this.ws._socket.cork();
      process.nextTick(uncork, this); // a shared function: no closure per connection
    }
    this.ws.send(`4${packet}`);
  }

  /** Ends a batch of replies (at the end of the tick that wrote them). */
  uncork(): void {
    this.corked = false;
    this.ws._socket.uncork();
  }

  /** A frame from the WebSocket: a message engine.io would only hand on goes to the guard, the rest to engine.io. */
  onFrame(data: Buffer | string, isBinary: boolean): void {
    // engine.io's listener is an arrow function; another channel's shared one needs the WebSocket as `this`.
    if (isBinary || this.disposed) return this.engineListener.call(this.ws, data, isBinary);
    const text = typeof data === "string" ? data : data.toString();
    // engine.io reads text frames the same way (data.toString()); handing it the text saves a second decode.
    if (text.length > 1 && text.charCodeAt(0) === ENGINE_MESSAGE && this.engineWouldOnlyHandOn()) return this.guard.receiveFrame(text.slice(1));
    this.engineListener.call(this.ws, text, false);
  }

  /** engine.io's `onPacket` would do nothing with this message but emit it to the connection guard. */
  private engineWouldOnlyHandOn(): boolean {
    const { conn } = this;
    return (
      conn.readyState === "open" &&
      conn.transport === this.transport &&
      // engine.io refreshes a waiting ping timeout on the first packet after a ping: that one goes its way.
      (conn.pingTimeoutTimer === null || conn.hasRefreshedPingTimeout) &&
      conn.listenerCount("data") === 1 &&
      conn.listenerCount("packet") === 0 &&
      conn.listenerCount("message") === 0 &&
      this.transport.listenerCount("packet") === 1
    );
  }
}

function uncork(frames: WebSocketFrames): void {
  frames.uncork();
}
