// The demo app, shared by `npm start` (one process), `npm run start:cluster` (every core) and
// `npm run start:redis` (one node of several behind a load balancer).
import { createRequire } from "node:module";
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { ATTACH_DEFAULTS, attachEchoSocket, echoSocketRouter, type AttachOptions, type EchoSocketHandle, type RouterOptions } from "../server/index.js";
import { demoPage } from "./page.js";

export interface DemoApp {
  server: HttpServer;
  echo: EchoSocketHandle;
}

/**
 * An Express app with the demo page at `/`, echo-socket's router at `/echo` and the echo channel
 * attached. `metrics` is the router's option (`/echo/metrics`; needs prom-client).
 */
export function createDemoApp(options: Partial<AttachOptions> = {}, { metrics = false }: Pick<Partial<RouterOptions>, "metrics"> = {}): DemoApp {
  const app = express();
  const server = createServer(app);
  // Slow or half-sent requests must not hold sockets for minutes.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  const echo = attachEchoSocket(server, options);
  app.use("/echo", echoSocketRouter({ handle: echo, metrics }));
  app.get("/", function demoIndex(req, res) {
    res.type("html").send(demoPage(`${req.protocol}://${req.get("host") ?? "localhost"}`));
  });
  return { server, echo };
}

export interface ServeDemoOptions {
  port: number;
  host: string;
  options?: Partial<AttachOptions>;
  /** Named in the shutdown line: "SIGTERM: closing <name>". */
  name: string;
  /** The line printed once it listens, given its URL (tests and scripts wait for it). */
  announce: (url: string) => string;
  /** Run after the echo channel and the HTTP server closed (a Redis client, say). */
  afterClose?: () => Promise<void>;
  /** The router's `metrics` option. Default: on when prom-client (an optional peer dependency) is installed. */
  metrics?: boolean;
}

/** Whether prom-client can be loaded from here (the repo has it; an `npx echo-socket serve` may not). */
function promClientInstalled(): boolean {
  try {
    createRequire(import.meta.url).resolve("prom-client");
    return true;
  } catch {
    return false;
  }
}

/**
 * The demo app listening on `port` and `host`, closed gracefully on SIGINT and SIGTERM: what
 * `npm start`, `npm run start:redis` and `echo-socket serve` run. Rejects if it cannot listen.
 */
export function serveDemo({
  port,
  host,
  options = {},
  name,
  announce,
  afterClose,
  metrics = promClientInstalled(),
}: ServeDemoOptions): Promise<DemoApp & { url: string }> {
  const demo = createDemoApp(options, { metrics });
  const { server, echo } = demo;
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      const { port: actualPort } = server.address() as AddressInfo;
      const url = `http://${host.includes(":") ? `[${host}]` : host}:${actualPort}`;
      console.log(announce(url));
      closeOnSignals(
        name,
        async () => {
          await echo.close();
          await new Promise((done) => server.close(done));
          await afterClose?.();
        },
        closeDeadlineMs(options),
      );
      resolve({ ...demo, url });
    });
  });
}

/** What a graceful close may take before the process exits anyway: echo-socket's own drain, plus a margin. */
export function closeDeadlineMs(options: Partial<AttachOptions> = {}): number {
  return (options.shutdownTimeoutMs ?? ATTACH_DEFAULTS.shutdownTimeoutMs) + 2000;
}

/**
 * Closes gracefully on SIGINT and SIGTERM: queued echoes go out, clients are told to reconnect; the
 * process exits after `deadlineMs` whatever is still open (it must outlast `shutdownTimeoutMs`).
 */
export function closeOnSignals(name: string, close: () => Promise<void>, deadlineMs = closeDeadlineMs()): void {
  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: closing ${name}`);
    setTimeout(() => process.exit(0), deadlineMs).unref();
    await close();
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}

/** Extra `attachEchoSocket` options from the ECHO_SOCKET_OPTIONS environment variable (JSON), for trying limits. */
export function optionsFromEnvironment(): Partial<AttachOptions> {
  const json = process.env.ECHO_SOCKET_OPTIONS;
  if (!json) return {};
  try {
    return JSON.parse(json) as Partial<AttachOptions>; // attachEchoSocket() validates each option
  } catch (error) {
    throw new Error(`ECHO_SOCKET_OPTIONS must be a JSON object of attachEchoSocket options: ${(error as Error).message}`);
  }
}
