import type { Socket } from "socket.io";
import type { ResolvedAttachOptions } from "../options/attach-options.js";
import { measurePayload } from "./payload-size.js";
import { refusal, type Refusal } from "./refusal.js";
import { monotonicNow, TokenBucket } from "./token-bucket.js";

/**
 * A message costs one token of the rate limit, plus one per `BYTES_PER_TOKEN` bytes and one per
 * `VALUES_PER_TOKEN` values in it: the server's work (parsing, measuring, encoding the echo) grows
 * with both, and a 128 KiB message of `{}` or of nested arrays costs it 15-30 ms where a 128 KiB
 * string costs 1. Small messages cost one token, as the option's name says.
 */
const BYTES_PER_TOKEN = 4096;
const VALUES_PER_TOKEN = 256;

function tokensFor(bytes: number, values: number): number {
  return 1 + Math.floor(bytes / BYTES_PER_TOKEN) + Math.floor(values / VALUES_PER_TOKEN);
}

/** Violations are counted over this window; past `maxViolations` in it, the connection is closed. */
const VIOLATION_WINDOW_MS = 10_000;

interface EnginePacket {
  data?: string | Buffer | ArrayBuffer;
}

/**
 * The per-connection checks a message passes before it is echoed: size and depth, rate (token
 * bucket with burst) and the connection's unread outgoing data. Each refusal is a violation; a
 * connection that keeps violating is told why and closed.
 */
export class MessageGuard {
  private readonly bucket: TokenBucket;
  /** Bytes engine.io holds for this connection that the client has not taken yet. */
  private engineBytes = 0;
  /** Bytes of echoes to this socket a shared adapter still holds (waiting on Redis), when it says. */
  private readonly heldBytes: () => number;
  /** Bytes the connection's WebSocket has not yet handed to the kernel (fast echoes are written there directly). */
  private readonly wireBytes: () => number;
  private get queuedBytes(): number {
    return this.engineBytes + this.heldBytes() + this.wireBytes();
  }
  private violations = 0;
  private windowStart: number;
  private readonly detach: () => void;

  constructor(
    socket: Socket,
    private readonly options: ResolvedAttachOptions,
    /** The clock of the rate limit and the violation window; a test passes one it moves by hand. */
    private readonly now: () => number = monotonicNow,
  ) {
    this.bucket = new TokenBucket(options.messagesPerSecond, options.messageBurst, now);
    this.windowStart = now();
    // engine.io queues packets while the transport cannot write (a client not reading); count them.
    const conn = socket.conn;
    const onCreate = (packet: EnginePacket): void => void (this.engineBytes += size(packet));
    // A flush hands engine.io's whole queue to the transport: nothing is queued after it.
    const onFlush = (): void => void (this.engineBytes = 0);
    const adapter = socket.nsp.adapter as { heldBytes?(id: string): number };
    this.heldBytes = adapter.heldBytes ? () => adapter.heldBytes!(socket.id) : () => 0;
    this.wireBytes = () => webSocketBacklog(conn);
    conn.on("packetCreate", onCreate);
    conn.on("flush", onFlush);
    this.detach = () => {
      conn.off("packetCreate", onCreate);
      conn.off("flush", onFlush);
    };
  }

  /** A refusal for this message, or undefined when it may be echoed. */
  check(args: readonly unknown[]): Refusal | undefined {
    const { maxMessageBytes, maxNestingDepth, maxBufferedBytes, messagesPerSecond } = this.options;
    const measured = measurePayload(args, maxMessageBytes, maxNestingDepth);
    if (typeof measured === "string") return this.violation(refusal(measured, measured === "message_too_large" ? maxMessageBytes : maxNestingDepth));
    const waitMs = this.bucket.take(tokensFor(measured.bytes, measured.values));
    if (waitMs > 0) return this.violation(refusal("rate_limited", messagesPerSecond, { retryAfterMs: waitMs }));
    if (this.queuedBytes > maxBufferedBytes) return this.violation(refusal("slow_consumer", undefined, { retryAfterMs: 1000 }));
    return undefined;
  }

  /**
   * The fast path's check for one text packet: true when it may be echoed
   * (taking a token); false when socket.io's path must handle it, and refuse it with its reason.
   */
  admitsRaw(text: string): boolean {
    const { maxMessageBytes, maxBufferedBytes } = this.options;
    // UTF-8 takes at most 3 bytes a UTF-16 unit: only long texts need counting.
    const short = text.length * 3 < BYTES_PER_TOKEN && text.length * 3 <= maxMessageBytes;
    const bytes = short ? text.length : Buffer.byteLength(text);
    if (bytes > maxMessageBytes) return false;
    if (this.queuedBytes > maxBufferedBytes) return false;
    // Charged by UTF-8 bytes, as check() charges: by UTF-16 length, text of 3-byte characters cost a
    // third of the tokens here that check() asks (message-guard.test.ts's property test found it).
    return this.bucket.take(tokensFor(bytes, 1)) === 0;
  }

  /** Bytes of echoes queued for this connection and not yet handed to its transport. */
  get queued(): number {
    return this.queuedBytes;
  }

  /** True once this connection has exceeded `maxViolations` within the window. */
  get persistent(): boolean {
    return this.violations > this.options.maxViolations;
  }

  dispose(): void {
    this.detach();
  }

  /** Counts `refused` against this connection (a refusal decided elsewhere too) and returns it. */
  violation(refused: Refusal): Refusal {
    const now = this.now();
    if (now - this.windowStart > VIOLATION_WINDOW_MS) {
      this.windowStart = now;
      this.violations = 0;
    }
    this.violations++;
    return refused;
  }
}

/** `ws`'s bufferedAmount under engine.io's WebSocket transport (its transport changes on upgrade); 0 over polling. */
function webSocketBacklog(conn: unknown): number {
  const buffered = (conn as { transport?: { socket?: { bufferedAmount?: unknown } } }).transport?.socket?.bufferedAmount;
  return typeof buffered === "number" ? buffered : 0;
}

function size(packet: EnginePacket): number {
  const { data } = packet;
  if (data === undefined) return 1;
  return typeof data === "string" ? data.length : data.byteLength;
}
