// Raw HTTP for the hostile-input corpus: requests a browser would never make.
import { Agent, request as httpRequest } from "node:http";
import { connect, type Socket } from "node:net";

/** Sends `request` bytes as-is and resolves with whatever comes back before the server closes or `ms` passes. */
export function rawRequest(port: number, request: string | Buffer, ms = 2000): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    let response = "";
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(response);
    };
    const timer = setTimeout(done, ms);
    socket.on("data", (chunk) => (response += chunk.toString("latin1")));
    socket.on("close", done);
    socket.on("error", done);
    socket.write(request);
  });
}

/** The status code of a raw HTTP response, or 0 when none came. */
export function statusOf(response: string): number {
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1] ?? 0);
}

/** Opens `count` TCP connections, each sending `prefix` (maybe nothing), and keeps them open. */
export async function openSockets(port: number, count: number, prefix = ""): Promise<Socket[]> {
  return Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<Socket>((resolve) => {
          const socket = connect(port, "127.0.0.1", () => {
            if (prefix) socket.write(prefix);
            resolve(socket);
          });
          socket.on("error", () => {});
        }),
    ),
  );
}

/** An engine.io polling session: the handshake's sid, for requests that abuse it. */
export async function pollingSid(port: number): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${port}/socket.io/?EIO=4&transport=polling`);
  const body = await response.text();
  return JSON.parse(body.slice(1)).sid as string;
}

export function polling(port: number, sid: string): string {
  return `http://127.0.0.1:${port}/socket.io/?EIO=4&transport=polling&sid=${sid}`;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * One HTTP request from `localAddress` (any 127/8 address: per-address limits see a different
 * client), on a fresh TCP connection. Resolves with status 0 on a network error.
 */
export function requestFrom(
  port: number,
  path: string,
  { localAddress = "127.0.0.1", method = "GET", body, agent }: { localAddress?: string; method?: string; body?: string; agent?: Agent } = {},
): Promise<HttpAnswer> {
  return new Promise((resolve) => {
    const req = httpRequest({ host: "127.0.0.1", port, path, method, localAddress, agent: agent ?? false }, (res) => {
      let text = "";
      res.setEncoding("latin1");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      res.on("error", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on("error", () => resolve({ status: 0, headers: {}, body: "" }));
    req.end(body);
  });
}

/** An engine.io polling handshake from `localAddress`: its status, and the sid when admitted. */
export async function handshakeFrom(port: number, localAddress: string, agent?: Agent): Promise<{ status: number; sid?: string }> {
  const answer = await requestFrom(port, "/socket.io/?EIO=4&transport=polling", { localAddress, agent });
  if (answer.status !== 200) return { status: answer.status };
  try {
    return { status: 200, sid: JSON.parse(answer.body.slice(1)).sid as string };
  } catch {
    return { status: answer.status };
  }
}

/**
 * Runs `count` polling handshakes that never CONNECT, spread round-robin over `addresses`, at most
 * `concurrency` at a time, over keep-alive connections (one small pool per address: fast enough to
 * outrun the handshake timeout). Returns how many got each status (0: network error).
 */
export async function handshakeFlood(port: number, addresses: readonly string[], count: number, concurrency = 64): Promise<Map<number, number>> {
  const statuses = new Map<number, number>();
  const perAddress = Math.max(1, Math.ceil(concurrency / addresses.length));
  const agents = new Map(
    addresses.map((address) => [
      address,
      new Agent({ keepAlive: true, maxSockets: perAddress, localAddress: address } as ConstructorParameters<typeof Agent>[0]),
    ]),
  );
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const address = addresses[next++ % addresses.length]!;
      const { status } = await handshakeFrom(port, address, agents.get(address));
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  } finally {
    for (const agent of agents.values()) agent.destroy();
  }
  return statuses;
}

/** `count` loopback addresses from 127.0.0.`first` on (first + count must stay under 255). */
export function loopbackAddresses(first: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `127.0.0.${first + i}`);
}

/** The echo router's health figures (`/echo/health`). */
export async function health(port: number): Promise<{ connections?: number; echoes?: number; status?: string }> {
  const answer = await requestFrom(port, "/echo/health");
  return answer.status === 200 ? JSON.parse(answer.body) : {};
}
