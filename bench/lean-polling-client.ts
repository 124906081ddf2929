// A lean HTTP long-polling client: one GET always waiting for packets, POSTs batching what is due.
import { Agent, request } from "node:http";
import { messageFor, runClients, type LoadClient, type LoadOptions, type LoadResult } from "./lean-ws-client.js";

const SEPARATOR = "\x1e";
const agent = new Agent({ keepAlive: true, maxSockets: Infinity });

function http(port: number, method: "GET" | "POST", path: string, body?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, method, path, agent, headers: body ? { "content-type": "text/plain" } : {} }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => (res.statusCode === 200 ? resolve(text) : reject(new Error(`HTTP ${res.statusCode}: ${text}`))));
    });
    req.on("error", reject);
    req.end(body);
  });
}

class PollingClient implements LoadClient {
  private path = "";
  private readonly sentAt: number[] = [];
  private outbox: string[] = [];
  private posting = false;
  private closed = false;

  constructor(
    private readonly port: number,
    private readonly message: string,
    private readonly inFlight: number,
    private readonly onEcho: (ms: number) => void,
  ) {}

  async open(): Promise<void> {
    const open = await http(this.port, "GET", "/socket.io/?EIO=4&transport=polling");
    const { sid } = JSON.parse(open.slice(1)) as { sid: string };
    this.path = `/socket.io/?EIO=4&transport=polling&sid=${sid}`;
    await http(this.port, "POST", this.path, "40");
    while (!(await http(this.port, "GET", this.path)).split(SEPARATOR).some((p) => p.startsWith("40"))) {
      // wait for the CONNECT answer
    }
  }

  start(): void {
    void this.poll();
    for (let i = 0; i < this.inFlight; i++) this.queue(this.message, true);
  }

  close(): void {
    this.closed = true;
  }

  private async poll(): Promise<void> {
    while (!this.closed) {
      const body = await http(this.port, "GET", this.path).catch(() => undefined);
      if (body === undefined) return;
      for (const packet of body.split(SEPARATOR)) {
        if (packet.startsWith('42["echo",')) {
          const sent = this.sentAt.shift();
          if (sent !== undefined) this.onEcho(performance.now() - sent);
          if (!this.closed) this.queue(this.message, true);
        } else if (packet === "2") this.queue("3", false);
      }
    }
  }

  private queue(packet: string, timed: boolean): void {
    if (timed) this.sentAt.push(performance.now());
    this.outbox.push(packet);
    if (!this.posting) void this.flush();
  }

  private async flush(): Promise<void> {
    this.posting = true;
    while (this.outbox.length > 0 && !this.closed) {
      const batch = this.outbox;
      this.outbox = [];
      await http(this.port, "POST", this.path, batch.join(SEPARATOR)).catch(() => undefined);
    }
    this.posting = false;
  }
}

/** The same measurement as `runLoad`, over HTTP long-polling (socket.io protocol only). */
export function runPollingLoad(options: LoadOptions): Promise<LoadResult> {
  const message = messageFor("socket.io", options.payloadBytes);
  return runClients(options, (onEcho) => new PollingClient(options.port, message, options.inFlight, onEcho));
}
