import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { EventEmitter } from "node:events";
import express, { type Express } from "express";
import { io as connectClient, type ManagerOptions, type Socket as ClientSocket, type SocketOptions } from "socket.io-client";
import { attachEchoSocket, echoSocketRouter, type AttachOptions, type EchoSocketHandle, type Logger } from "../../server/index.js";

export interface TestServer {
  app: Express;
  server: HttpServer;
  handle: EchoSocketHandle;
  url: string;
  /** Closes every client made by `connect`, the handle and the HTTP server. */
  close(): Promise<void>;
  /** A real socket.io client to this server; closed by `close()`. */
  connect(options?: Partial<ManagerOptions & SocketOptions>, namespace?: string): ClientSocket;
}

/** A real Express app + http.Server on 127.0.0.1, port 0, with echo-socket attached and the router at /echo. */
export async function startServer(options: Partial<AttachOptions> = {}, port = 0): Promise<TestServer> {
  const app = express();
  const server = createServer(app);
  const handle = attachEchoSocket(server, { logger: false, ...options });
  app.use("/echo", echoSocketRouter({ handle }));
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clients: ClientSocket[] = [];
  return {
    app,
    server,
    handle,
    url,
    connect(clientOptions = {}, namespace = "") {
      const client = connectClient(url + namespace, { forceNew: true, reconnection: false, ...clientOptions });
      clients.push(client);
      return client;
    },
    async close() {
      for (const client of clients) client.disconnect();
      await handle.close();
      const closed = new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
      // A response body a test left unread (fetch) keeps its keep-alive connection, and close() waiting, for seconds.
      server.closeAllConnections();
      await closed;
    },
  };
}

/** Anything with once/off: Node emitters, socket.io sockets, engine.io clients. */
// biome-ignore lint/suspicious/noExplicitAny: Node emitters, socket.io sockets and engine.io clients type their listeners differently
type Emitter = { once(event: string, fn: (...args: any[]) => void): unknown; off(event: string, fn?: (...args: any[]) => void): unknown };

/**
 * Resolves with the arguments of the next `event` on `emitter`; rejects after `ms`, which only stops a
 * hang (the tests' acknowledgement timeouts are as long): a loaded machine is slow, not wrong.
 */
export function waitFor<T extends unknown[] = unknown[]>(emitter: Emitter, event: string, ms = 10_000): Promise<T> {
  const target = emitter as Pick<EventEmitter, "once" | "off">;
  return new Promise((resolve, reject) => {
    const onEvent = (...args: unknown[]): void => {
      clearTimeout(timer);
      resolve(args as T);
    };
    const timer = setTimeout(() => {
      target.off(event, onEvent);
      reject(new Error(`timed out after ${ms} ms waiting for "${event}"`));
    }, ms);
    target.once(event, onEvent);
  });
}

/**
 * Has a reconnecting `client` get one echo (which gives it an offset to recover from), then lose its
 * transport; resolves with the socket id it had, once the drop is seen. The client reconnects by itself.
 */
export async function dropAfterOneEcho(client: ClientSocket): Promise<string> {
  const first = waitFor(client, "echo");
  client.emit("ms", "before the drop");
  await first;
  const oldId = client.id!;
  const dropped = waitFor(client, "disconnect");
  client.io.engine.close();
  await dropped;
  return oldId;
}

/** Whether the server admits `socket`: true on "connect", false on "connect_error" (whichever comes first). */
export function admitted(socket: ClientSocket): Promise<boolean> {
  if (socket.connected) return Promise.resolve(true);
  return new Promise((resolve) => {
    const settle = (outcome: boolean) => (): void => {
      socket.off("connect", onConnect).off("connect_error", onError);
      resolve(outcome);
    };
    const onConnect = settle(true);
    const onError = settle(false);
    socket.once("connect", onConnect).once("connect_error", onError);
  });
}

/** A logger that records every call, for tests that read what was logged. */
export function recordingLogger(): Logger & { lines: Array<{ level: string; text: string }> } {
  const lines: Array<{ level: string; text: string }> = [];
  const record =
    (level: string) =>
    (...args: unknown[]) =>
      void lines.push({ level, text: args.map(String).join(" ") });
  return { lines, info: record("info"), warn: record("warn"), error: record("error"), debug: record("debug") };
}
