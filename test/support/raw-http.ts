// Raw HTTP for the hostile-input corpus: requests a browser would never make.
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
    Array.from({ length: count }, () =>
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
