// One engine.io connection over either transport, with the same face for the checks that only need
// "send packets, wait for packets": pings are answered as they come (and counted), a close is kept
// with when and why it happened.
import { WebSocket } from "ws";
import {
  ENGINE,
  MAX_PAYLOAD_PACKETS,
  MAX_TIMER_MS,
  decodePayload,
  encodePayload,
  openPacketProblem,
  parseEngineError,
  parseOpen,
  type OpenPacket,
} from "./engine-io.js";
import { StepError, classifyError, seconds, timeoutFailure, type StepFailure } from "./failures.js";
import { snippet, statusError, type HttpClient } from "./http-client.js";
import { engineUrl, shownPath, type Target } from "./target.js";

export interface LinkClose {
  /** ms after the link opened. */
  atMs: number;
  /** What closed it, for a person. */
  reason: string;
  /** The WebSocket close code, when there was a close frame (1006: none). */
  code?: number;
  /** The server sent engine.io's close packet. */
  byServer: boolean;
}

type Listener = (packet: string) => void;

export abstract class Link {
  abstract readonly transport: "polling" | "websocket";
  pings = 0;
  closed: LinkClose | undefined;
  protected readonly openedAt = performance.now();
  private readonly listeners = new Set<Listener>();
  private readonly closeListeners = new Set<(close: LinkClose) => void>();

  constructor(readonly open: OpenPacket) {}

  abstract send(packets: readonly string[], timeoutMs: number): Promise<void>;
  abstract close(): void;

  /** Every packet but pings, as it arrives. Returns the function that stops listening. */
  onPacket(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  onClose(listener: (close: LinkClose) => void): () => void {
    this.closeListeners.add(listener);
    return () => void this.closeListeners.delete(listener);
  }

  /** The next packet `test` accepts; rejects on timeout or close. */
  waitFor(test: (packet: string) => boolean, timeoutMs: number, what: string): Promise<string> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new StepError(this.closeFailure(what)));
      const done = (): void => {
        clearTimeout(timer);
        stopPackets();
        stopClose();
      };
      const timer = setTimeout(() => {
        done();
        reject(new StepError(timeoutFailure(this.step, what, timeoutMs)));
      }, timeoutMs);
      const stopPackets = this.onPacket((packet) => {
        if (!test(packet)) return;
        done();
        resolve(packet);
      });
      const stopClose = this.onClose(() => {
        done();
        reject(new StepError(this.closeFailure(what)));
      });
    });
  }

  protected get step(): "http" | "websocket" {
    return this.transport === "polling" ? "http" : "websocket";
  }

  protected closeFailure(what: string): StepFailure {
    return {
      step: this.step,
      kind: "closed",
      code: this.closed?.code === undefined ? undefined : String(this.closed.code),
      message: `${what}: the connection closed (${this.closed?.reason ?? "closed"})`,
    };
  }

  protected received(packet: string): void {
    if (packet === ENGINE.ping) {
      this.pings++;
      this.answerPing();
      return;
    }
    if (packet === ENGINE.close) this.markClosed("the server sent engine.io's close packet", undefined, true);
    for (const listener of [...this.listeners]) listener(packet);
  }

  protected abstract answerPing(): void;

  protected markClosed(reason: string, code?: number, byServer = false): void {
    if (this.closed) return;
    this.closed = { atMs: performance.now() - this.openedAt, reason, code, byServer };
    for (const listener of [...this.closeListeners]) listener(this.closed);
  }
}

/** An open WebSocket and the text messages that came before anyone listened (the open packet can come with the 101). */
export interface OpenedWebSocket {
  ws: WebSocket;
  /** Messages received so far; keeps filling until `stopBuffering()`. */
  queue: string[];
  /** The next message (taken from the queue), or a StepError on timeout or close. */
  next(ms: number, what: string): Promise<string>;
  stopBuffering(): void;
}

/** A WebSocket: opened, and answered with a status other than 101, or an error, is a StepError. */
export function connectWebSocket(
  url: string,
  { headers = {}, origin, timeoutMs }: { headers?: Record<string, string>; origin?: string; timeoutMs: number },
): Promise<OpenedWebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers, origin, perMessageDeflate: false, maxPayload: 16 * 1024 * 1024, handshakeTimeout: timeoutMs });
    const queue: string[] = [];
    let queued: (() => void) | undefined;
    const buffer = (data: unknown, isBinary: boolean): void => {
      if (isBinary) return;
      queue.push(String(data));
      queued?.();
    };
    ws.on("message", buffer);
    const next = (ms: number, what: string): Promise<string> =>
      new Promise((resolveNext, rejectNext) => {
        if (queue.length) return resolveNext(queue.shift()!);
        const done = (): void => {
          clearTimeout(timer);
          queued = undefined;
          ws.off("close", onClose);
        };
        const timer = setTimeout(() => {
          done();
          ws.terminate();
          rejectNext(new StepError(timeoutFailure("websocket", what, ms)));
        }, ms);
        const onClose = (code: number): void => {
          done();
          rejectNext(new StepError({ step: "websocket", kind: "closed", code: String(code), message: `${what}: the WebSocket closed (code ${code})` }));
        };
        ws.once("close", onClose);
        queued = () => {
          done();
          resolveNext(queue.shift()!);
        };
      });
    let settled = false;
    const fail = (failure: StepFailure): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ws.terminate();
      reject(new StepError(failure));
    };
    const timer = setTimeout(() => fail(timeoutFailure("websocket", "WebSocket upgrade", timeoutMs)), timeoutMs);
    ws.once("unexpected-response", (_request, response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        if (body.length < 4096) body += chunk;
      });
      const finish = (): void => {
        const engineError = parseEngineError(body);
        const status = response.statusCode ?? 0;
        const reason = engineError ? ` ${JSON.stringify(engineError)}` : body ? ` ${JSON.stringify(snippet(body))}` : "";
        fail({
          step: "websocket",
          kind: "status",
          status,
          engineError,
          body: snippet(body),
          message: `the WebSocket upgrade was answered with HTTP ${status} instead of 101${reason}`,
        });
      };
      response.once("end", finish);
      response.once("error", finish);
      response.once("aborted", finish);
    });
    ws.on("error", (error) => {
      if (/Opening handshake has timed out/.test(error.message)) return fail(timeoutFailure("websocket", "WebSocket upgrade", timeoutMs));
      fail(classifyError("websocket", error));
    });
    ws.once("open", () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ws, queue, next, stopBuffering: () => ws.off("message", buffer) });
    });
  });
}

export class WebSocketLink extends Link {
  readonly transport = "websocket";

  private readonly ws: WebSocket;

  /** Takes over `opened`: what it buffered is handled first, in order. */
  constructor(opened: OpenedWebSocket, open: OpenPacket) {
    super(open);
    const ws = (this.ws = opened.ws);
    opened.stopBuffering();
    ws.on("message", (data, isBinary) => {
      if (!isBinary) this.received(data.toString());
    });
    for (const packet of opened.queue.splice(0)) this.received(packet);
    ws.on("close", (code, reason) =>
      this.markClosed(
        `WebSocket closed with code ${code}${code === 1006 ? ", no close frame: the TCP connection was cut" : ""}${reason.length ? `: ${reason.toString()}` : ""}`,
        code,
      ),
    );
    ws.on("error", (error) => this.markClosed(`WebSocket error: ${error.message}`));
  }

  /** A direct WebSocket: connect, then wait for the open packet. */
  static async connect(
    target: Target,
    { headers, origin, timeoutMs }: { headers?: Record<string, string>; origin?: string; timeoutMs: number },
  ): Promise<WebSocketLink> {
    const started = performance.now();
    const opened = await connectWebSocket(engineUrl(target, "websocket"), { headers, origin, timeoutMs });
    const first = await opened.next(Math.max(1, timeoutMs - (performance.now() - started)), "engine.io's open packet after the WebSocket upgrade");
    const open = parseOpen(first);
    if (!open) {
      opened.ws.terminate();
      throw new StepError({
        step: "protocol",
        kind: "malformed",
        body: snippet(first),
        message: malformedOpenMessage("the first WebSocket message", first),
      });
    }
    return new WebSocketLink(opened, open);
  }

  /** Async, so that a send on a socket not yet open rejects rather than throws. */
  async send(packets: readonly string[]): Promise<void> {
    for (const packet of packets) this.ws.send(packet);
  }

  close(): void {
    if (!this.closed) this.markClosed("closed by the check");
    this.ws.terminate();
  }

  protected answerPing(): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(ENGINE.pong);
  }
}

/** A long-polling handshake: the reply, and its open packet when it is one. */
export async function pollingHandshake(http: HttpClient, target: Target, { origin, timeoutMs, path }: { origin?: string; timeoutMs: number; path?: string }) {
  const reply = await http.request("GET", engineUrl(target, "polling", { t: cacheBuster() }, path), { headers: origin ? { origin } : {}, timeoutMs });
  const open = reply.status === 200 ? parseOpen(decodePayload(reply.body)[0]) : undefined;
  return { reply, open, rest: reply.status === 200 ? decodePayload(reply.body).slice(1) : [] };
}

export class PollingLink extends Link {
  readonly transport = "polling";
  private polling = false;
  /** A pong POST is on its way; `pongDue`: pings came meanwhile, one more pong answers them all. */
  private pongInFlight = false;
  private pongDue = false;
  /** Aborts the long poll when the check closes the link. */
  private readonly stopPoll = new AbortController();

  constructor(
    private readonly http: HttpClient,
    private readonly target: Target,
    open: OpenPacket,
    private readonly stepMs: number,
  ) {
    super(open);
  }

  static async connect(http: HttpClient, target: Target, timeoutMs: number): Promise<PollingLink> {
    const { reply, open } = await pollingHandshake(http, target, { timeoutMs });
    if (!open)
      throw reply.status === 200
        ? new StepError({
            step: "protocol",
            kind: "malformed",
            body: snippet(reply.body),
            message: malformedOpenMessage("the handshake answer", decodePayload(reply.body)[0] ?? ""),
          })
        : statusError(`GET ${shownPath(target, "polling")}`, reply);
    return new PollingLink(http, target, open, timeoutMs);
  }

  /** Starts the GET loop: one long poll at a time, each waiting at most a heartbeat plus the step timeout. */
  startPolling(): void {
    if (this.polling) return;
    this.polling = true;
    void this.pollLoop();
  }

  async send(packets: readonly string[], timeoutMs: number): Promise<void> {
    const reply = await this.http.request("POST", this.url(), { body: encodePayload(packets), timeoutMs });
    if (reply.status !== 200) {
      const error = statusError(`POST ${shownPath(this.target, "polling")}&sid=…`, reply);
      this.markClosed(error.message);
      throw error;
    }
  }

  close(): void {
    if (this.closed) return;
    this.markClosed("closed by the check");
    this.stopPoll.abort();
    // Tell the server, so it frees the session now rather than at its next ping.
    this.http.request("POST", this.url(), { body: ENGINE.close, timeoutMs: this.stepMs }).catch(() => {});
  }

  /** At most one pong POST at a time: pings that come meanwhile (a flood of them in one answer) get one more pong, not one each. */
  protected answerPing(): void {
    if (this.closed) return;
    if (this.pongInFlight) {
      this.pongDue = true;
      return;
    }
    this.pongInFlight = true;
    this.pongDue = false;
    this.send([ENGINE.pong], this.stepMs)
      .catch(() => {})
      .finally(() => {
        this.pongInFlight = false;
        if (this.pongDue) this.answerPing();
      });
  }

  private url(): string {
    return engineUrl(this.target, "polling", { sid: this.open.sid, t: cacheBuster() });
  }

  private async pollLoop(): Promise<void> {
    const waitMs = Math.min(MAX_TIMER_MS, this.open.pingInterval + this.open.pingTimeout + this.stepMs);
    while (!this.closed) {
      try {
        const reply = await this.http.request("GET", this.url(), { timeoutMs: waitMs, signal: this.stopPoll.signal });
        if (this.closed) return;
        if (reply.status !== 200) {
          this.markClosed(statusError("long-polling GET", reply).message);
          return;
        }
        const packets = decodePayload(reply.body);
        if (packets.length > MAX_PAYLOAD_PACKETS) {
          this.markClosed(`one long-polling answer carried ${packets.length} packets (more than ${MAX_PAYLOAD_PACKETS}): not a socket.io server's answer`);
          return;
        }
        for (const packet of packets) {
          if (this.closed) return;
          this.received(packet);
        }
      } catch (error) {
        const failure = error instanceof StepError ? error.failure : classifyError("http", error);
        this.markClosed(failure.kind === "timeout" ? `no long-polling answer (not even a ping) within ${seconds(waitMs)}` : failure.message);
        return;
      }
    }
  }
}

/** Why `packet` (what came first) is not an open packet, for a person: its heartbeat settings, or what it is. */
function malformedOpenMessage(what: string, packet: string): string {
  const problem = openPacketProblem(packet);
  return problem ? `${what} is a malformed open packet: ${problem}` : `${what} is not engine.io's open packet: ${JSON.stringify(snippet(packet))}`;
}

export function cacheBuster(): string {
  return Math.random().toString(36).slice(2, 9);
}
