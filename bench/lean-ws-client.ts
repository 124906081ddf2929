// A lean load generator over raw `ws`: speaks just enough of engine.io/socket.io (open, CONNECT,
// ping/pong, EVENT) that the client's own cost does not hide differences between servers.
import { WebSocket } from "ws";
import { LatencyRecorder } from "./latency.js";

export interface LoadOptions {
  port: number;
  /** Several nodes (the redis scenario): client i connects to `ports[i % ports.length]`, not `port`. */
  ports?: number[];
  /** "socket.io" speaks the protocol; "raw" sends the payload as-is (the raw ws contender). */
  protocol: "socket.io" | "raw";
  clients: number;
  inFlight: number;
  payloadBytes: number;
  warmupMs: number;
  durationMs: number;
  /** Source addresses to spread clients over (loopback 127.0.0.x), for per-address caps. */
  localAddresses?: string[];
  /** Reads the server's CPU time (µs), at the start and end of the measured window. */
  serverCpu?: () => Promise<number>;
}

export interface LoadResult {
  echoes: number;
  echoesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Server CPU time per echo, in µs: steadier than throughput on a shared, noisy machine. */
  serverCpuMicrosPerEcho: number;
  /** Messages the server refused in the measured window (echo-socket's limits): none, in a fair run. */
  refused: number;
  /** The load generator's own CPU time per echo, in µs: when it nears a core's worth, it is the bottleneck. */
  clientCpuMicrosPerEcho: number;
}

const ECHO_PREFIX = '42["echo",';
/** echo-socket's refusal (rate limit, size): answered, so the client sends its next message and counts it. */
const REFUSAL_PREFIX = '42["echo-socket:error",';

/** One client keeping `inFlight` messages outstanding; each echo sends the next. */
class LeanClient implements LoadClient {
  private readonly sentAt: number[] = [];
  private ws!: WebSocket;

  constructor(
    private readonly options: LoadOptions,
    private readonly message: string,
    private readonly onEcho: (latencyMs: number) => void,
    private readonly localAddress?: string,
    private readonly port = options.port,
    private readonly onRefused?: () => void,
  ) {}

  open(): Promise<void> {
    const { protocol } = this.options;
    const { port } = this;
    const url = protocol === "raw" ? `ws://127.0.0.1:${port}/` : `ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`;
    this.ws = new WebSocket(url, { perMessageDeflate: false, localAddress: this.localAddress });
    return new Promise((resolve, reject) => {
      this.ws.once("error", reject);
      if (protocol === "raw") this.ws.once("open", () => resolve());
      this.ws.on("message", (data) => {
        const text = data.toString();
        if (protocol === "raw") return this.echoed();
        if (text.startsWith(ECHO_PREFIX)) return this.echoed();
        if (text.startsWith(REFUSAL_PREFIX)) return this.refused();
        if (text === "2") return this.ws.send("3");
        if (text.startsWith("0")) return this.ws.send("40");
        if (text.startsWith("40")) resolve();
      });
    });
  }

  start(): void {
    for (let i = 0; i < this.options.inFlight; i++) this.send();
  }

  close(): void {
    this.ws.terminate();
  }

  private send(): void {
    this.sentAt.push(performance.now());
    this.ws.send(this.message);
  }

  private echoed(): void {
    const sent = this.sentAt.shift();
    if (sent !== undefined) this.onEcho(performance.now() - sent);
    this.send();
  }

  /** A refused message keeps its slot: the next one goes, and the run reports how many were refused. */
  private refused(): void {
    this.sentAt.shift();
    this.onRefused?.();
    this.send();
  }
}

export function messageFor(protocol: LoadOptions["protocol"], payloadBytes: number): string {
  const payload = "x".repeat(payloadBytes);
  return protocol === "raw" ? payload : `42["ms","${payload}"]`;
}

/** Runs the load over WebSocket: warm up, then count echoes and latencies for `durationMs`; stops by itself. */
export function runLoad(options: LoadOptions): Promise<LoadResult> {
  const message = messageFor(options.protocol, options.payloadBytes);
  return runClients(
    options,
    (onEcho, i, onRefused) =>
      new LeanClient(
        options,
        message,
        onEcho,
        options.localAddresses?.[i % options.localAddresses.length],
        options.ports?.[i % options.ports.length],
        onRefused,
      ),
  );
}

/** One simulated client of a load run. */
export interface LoadClient {
  open(): Promise<void>;
  start(): void;
  close(): void;
}

/** Opens `options.clients` clients, starts them, measures a window after the warm-up, and closes them. */
export async function runClients(
  options: LoadOptions,
  makeClient: (onEcho: (ms: number) => void, index: number, onRefused: () => void) => LoadClient,
): Promise<LoadResult> {
  const recorder = new LatencyRecorder();
  let measuring = false;
  let refused = 0;
  const clients = Array.from({ length: options.clients }, (_, i) =>
    makeClient(
      (ms) => measuring && recorder.add(ms),
      i,
      () => void (measuring && refused++),
    ),
  );
  try {
    await Promise.all(clients.map((client) => client.open()));
    clients.forEach((client) => client.start());
    await sleep(options.warmupMs);
    const cpuBefore = (await options.serverCpu?.()) ?? NaN;
    const clientBefore = process.cpuUsage();
    measuring = true;
    const started = performance.now();
    await sleep(options.durationMs);
    measuring = false;
    const elapsed = performance.now() - started;
    const client = process.cpuUsage(clientBefore);
    const cpuAfter = (await options.serverCpu?.()) ?? NaN;
    return {
      echoes: recorder.count,
      echoesPerSecond: (recorder.count * 1000) / elapsed,
      ...recorder.percentiles(),
      serverCpuMicrosPerEcho: (cpuAfter - cpuBefore) / recorder.count,
      clientCpuMicrosPerEcho: (client.user + client.system) / recorder.count,
      refused,
    };
  } finally {
    clients.forEach((client) => client.close());
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
