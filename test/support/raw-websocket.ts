// A WebSocket client written on a bare TCP socket, so tests can send what a browser never would:
// unmasked frames, bad opcodes, invalid UTF-8, oversize frames. Server frames are parsed minimally.
import { randomBytes } from "node:crypto";
import { connect, type Socket } from "node:net";

export interface FrameOptions {
  fin?: boolean;
  mask?: boolean;
  rsv?: number;
  /** Claim this payload length in the header instead of the real one. */
  claimedLength?: number;
}

export const OPCODE = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

export function frame(opcode: number, payload: Buffer | string, options: FrameOptions = {}): Buffer {
  const { fin = true, mask = true, rsv = 0 } = options;
  const data = typeof payload === "string" ? Buffer.from(payload) : payload;
  const length = options.claimedLength ?? data.length;
  const head = [((fin ? 0x80 : 0) | (rsv << 4) | opcode) & 0xff];
  const maskBit = mask ? 0x80 : 0;
  if (length < 126) head.push(maskBit | length);
  else if (length < 65536) head.push(maskBit | 126, length >> 8, length & 0xff);
  else {
    head.push(maskBit | 127);
    const big = Buffer.alloc(8);
    big.writeBigUInt64BE(BigInt(length));
    head.push(...big);
  }
  if (!mask) return Buffer.concat([Buffer.from(head), data]);
  const key = randomBytes(4);
  const masked = Buffer.from(data.map((byte, i) => byte ^ key[i % 4]!));
  return Buffer.concat([Buffer.from(head), key, masked]);
}

export interface OpenOptions {
  /** Extra request headers. */
  headers?: Record<string, string>;
  /** The loopback address to connect from (all of 127/8 is loopback), so per-address limits see another client. */
  localAddress?: string;
}

export class RawWebSocket {
  /** Text frames received from the server, in order (unless `keepTexts` is turned off). */
  readonly texts: string[] = [];
  /** Turn off to only count frames (long floods): `onText` still sees each one. */
  keepTexts = true;
  /** Called with every text frame received. */
  onText: ((text: string) => void) | undefined;
  /** Text and binary frames received so far, and their payload bytes. */
  framesReceived = 0;
  bytesReceived = 0;
  /** True once the server sent a close frame (it may keep the TCP connection open a while after). */
  closeReceived = false;
  readonly closed: Promise<void>;
  private buffer = Buffer.alloc(0);
  private upgraded = false;
  private waiters: Array<() => void> = [];

  private constructor(readonly socket: Socket) {
    this.closed = new Promise((resolve) => socket.once("close", () => resolve()));
    socket.on("error", () => {});
    socket.on("data", (chunk) => this.onData(chunk));
  }

  /** Opens a WebSocket to engine.io at `port` (`path` includes the query), resolving after the 101. */
  static async open(
    port: number,
    path = "/socket.io/?EIO=4&transport=websocket",
    headersOrOptions: Record<string, string> | OpenOptions = {},
  ): Promise<RawWebSocket> {
    const { headers = {}, localAddress }: OpenOptions =
      "headers" in headersOrOptions || "localAddress" in headersOrOptions
        ? (headersOrOptions as OpenOptions)
        : { headers: headersOrOptions as Record<string, string> };
    const socket = connect({ port, host: "127.0.0.1", localAddress });
    await new Promise((resolve, reject) => socket.once("connect", resolve).once("error", reject));
    const client = new RawWebSocket(socket);
    const extra = Object.entries(headers)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join("");
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${randomBytes(16).toString("base64")}\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`,
    );
    await client.until(() => client.upgraded || client.socket.destroyed, 3000);
    if (!client.upgraded) throw new Error("the server refused the WebSocket upgrade");
    return client;
  }

  /** Opens and completes the socket.io handshake (engine.io open, then CONNECT to "/"). */
  static async connected(port: number, options: OpenOptions & { auth?: Record<string, unknown> } = {}): Promise<RawWebSocket> {
    const client = await RawWebSocket.open(port, undefined, options);
    await client.until(() => client.texts.some((text) => text.startsWith("0{")));
    client.sendText(options.auth ? `40${JSON.stringify(options.auth)}` : "40");
    await client.until(() => client.texts.some((text) => text.startsWith("40")));
    return client;
  }

  /** The socket.io CONNECT reply's `{ sid, pid }` (the last one received), if any. */
  connectReply(): { sid?: string; pid?: string } | undefined {
    for (let i = this.texts.length - 1; i >= 0; i--) if (this.texts[i]!.startsWith("40{")) return JSON.parse(this.texts[i]!.slice(2));
    return undefined;
  }

  /** Sends every text as its own frame, all in one TCP write. */
  sendTexts(texts: readonly string[]): void {
    this.write(Buffer.concat(texts.map((text) => frame(OPCODE.text, text))));
  }

  /** Text frames received that start with `prefix`. */
  count(prefix: string): number {
    let n = 0;
    for (const text of this.texts) if (text.startsWith(prefix)) n++;
    return n;
  }

  write(data: Buffer): void {
    if (!this.socket.destroyed) this.socket.write(data);
  }

  sendText(text: string): void {
    this.write(frame(OPCODE.text, text));
  }

  /** Waits until `condition` holds (checked on every frame received), or `ms` passes. */
  until(condition: () => boolean, ms = 3000): Promise<boolean> {
    return new Promise((resolve) => {
      const check = (): void => {
        if (condition()) {
          clearTimeout(timer);
          this.waiters = this.waiters.filter((waiter) => waiter !== check);
          resolve(true);
        }
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((waiter) => waiter !== check);
        resolve(false);
      }, ms);
      this.waiters.push(check);
      this.socket.once("close", check);
      check();
    });
  }

  /** True once the server closed or ended the connection. */
  get ended(): boolean {
    return this.socket.destroyed || this.socket.readableEnded || this.closeReceived;
  }

  destroy(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    if (!this.upgraded) {
      const end = this.buffer.indexOf("\r\n\r\n");
      if (end < 0) return;
      this.upgraded = this.buffer.subarray(0, end).toString().startsWith("HTTP/1.1 101");
      this.buffer = this.buffer.subarray(end + 4);
    }
    while (this.buffer.length >= 2) {
      const opcode = this.buffer[0]! & 0x0f;
      let length = this.buffer[1]! & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (this.buffer.length < 4) return;
        length = this.buffer.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (this.buffer.length < 10) return;
        length = Number(this.buffer.readBigUInt64BE(2));
        offset = 10;
      }
      if (this.buffer.length < offset + length) return;
      const payload = this.buffer.subarray(offset, offset + length);
      this.buffer = this.buffer.subarray(offset + length);
      if (opcode === OPCODE.text || opcode === OPCODE.binary) {
        this.framesReceived++;
        this.bytesReceived += length;
      }
      if (opcode === OPCODE.text) {
        const text = payload.toString();
        if (this.keepTexts) this.texts.push(text);
        this.onText?.(text);
      }
      if (opcode === OPCODE.close) this.closeReceived = true;
    }
    for (const waiter of [...this.waiters]) waiter();
  }
}
