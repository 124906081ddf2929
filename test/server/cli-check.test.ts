// `echo-socket check` against real servers on loopback: echo-socket's, the tutorial's bare socket.io
// server, an origin refusal, a wrong path, a dead port and a server that accepts and never answers.
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { createServer as createTcpServer, type AddressInfo, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import express from "express";
import { Server } from "socket.io";
import { attachEchoSocket, echoSocketRouter, type AttachOptions, type EchoSocketHandle } from "../../server/index.js";
import { DEFAULT_PATH, READY_EVENT } from "../../protocol/index.js";
import { runCheck, type CheckReport } from "../../cli/check/run.js";
import type { CheckOptions, CheckResult } from "../../cli/check/types.js";
import { freePort } from "../support/services.mjs";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function check(url: string, options: Partial<CheckOptions> = {}): Promise<CheckReport> {
  return runCheck({ url, path: DEFAULT_PATH, send: "ms", reply: "echo", messages: 20, holdSeconds: 0, timeoutSeconds: 2, json: true, ...options });
}

/** Resolves once the server counts no connection (the check's last close reaches it a moment later). */
async function closedAll(handle: EchoSocketHandle): Promise<void> {
  const deadline = Date.now() + 5000; // only stops a hang
  while (handle.stats().connections > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(handle.stats().connections).toBe(0);
}

const verdicts = (report: CheckReport): Record<string, string> => Object.fromEntries(report.checks.map((c) => [c.name, c.verdict]));
const named = (report: CheckReport, name: string): CheckResult => report.checks.find((c) => c.name === name)!;

/** An Express app with echo-socket attached and its router at /echo (no element: the build may be under way). */
async function echoSocket(options: Partial<AttachOptions> = {}): Promise<{ url: string; handle: EchoSocketHandle }> {
  const app = express();
  const server = createHttpServer(app);
  const handle = attachEchoSocket(server, { logger: false, ...options });
  app.use("/echo", echoSocketRouter({ handle, element: false }));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(async () => {
    await handle.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, handle };
}

/** The tutorial's server, as written there: `new Server(httpServer)` and an echo handler. */
async function tutorialServer(): Promise<string> {
  const httpServer: HttpServer = createHttpServer();
  const io = new Server(httpServer);
  io.on("connection", (socket) => {
    socket.on("ms", (data) => socket.emit("echo", data));
  });
  await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
  cleanups.push(() => new Promise<void>((resolve) => void io.close(() => resolve())));
  return `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
}

describe("echo-socket check against healthy servers", () => {
  it("passes echo-socket's server over every transport and reports its extras", async () => {
    const server = await echoSocket();
    const report = await check(server.url, { origin: "https://page.example" });
    expect(verdicts(report)).toEqual({
      reachable: "pass",
      polling: "pass",
      upgrade: "pass",
      websocket: "pass",
      origin: "pass",
      heartbeat: "pass",
      echo: "pass",
      extras: "pass",
    });
    expect(report).toMatchObject({
      ok: true,
      exitCode: 0,
      path: "/socket.io",
      server: { pingInterval: 25_000, pingTimeout: 20_000, upgrades: ["websocket"], echoSocket: true },
    });
    expect(named(report, "echo").figures).toMatchObject({ transport: "websocket", sent: 40, echoed: 40, lost: 0, outOfOrder: 0 });
    expect(named(report, "echo").figures!.rttMedianMs).toEqual(expect.any(Number));
    expect(named(report, "extras").detail).toContain(READY_EVENT);
    expect(named(report, "extras").figures).toMatchObject({ echoSocket: true, recovery: true, acks: true, deduplication: true });
    await closedAll(server.handle); // every connection the check opened is closed
  });

  it("passes the tutorial's bare socket.io server, with no extras required, and finds the hole CORS leaves", async () => {
    const url = await tutorialServer();
    const report = await check(url);
    expect(verdicts(report)).toEqual({
      reachable: "pass",
      polling: "pass",
      upgrade: "pass",
      websocket: "pass",
      origin: "skip",
      heartbeat: "pass",
      echo: "pass",
      extras: "skip",
    });
    expect(report.exitCode).toBe(0);
    expect(named(report, "extras").detail).toContain("a plain socket.io server");

    // No cors option: a browser hides long-polling answers from other origins, but WebSocket lets them in.
    const withOrigin = await check(url, { origin: "https://other.example", messages: 1 });
    expect(named(withOrigin, "origin")).toMatchObject({ verdict: "fail", figures: { polling: "refused", websocket: "accepted" } });
    expect(named(withOrigin, "origin").detail).toMatch(/^a hole/);
    expect(withOrigin.exitCode).toBe(1);
  });

  it("holds an idle connection, answering the server's pings", async () => {
    const server = await echoSocket({ serverOptions: { pingInterval: 100, pingTimeout: 1000 } });
    const report = await check(server.url, { holdSeconds: 0.5, messages: 1 });
    expect(named(report, "heartbeat")).toMatchObject({ verdict: "pass", figures: { transport: "websocket", pingInterval: 100, pingTimeout: 1000 } });
    expect(named(report, "heartbeat").figures!.pings).toBeGreaterThanOrEqual(1);
  });
});

describe("echo-socket check against broken deployments", () => {
  it("reports an origin allowedOrigins refuses on both transports, with how to allow it", async () => {
    const server = await echoSocket({ allowedOrigins: ["https://good.example"] });
    const refused = await check(server.url, { origin: "https://evil.example", messages: 1 });
    expect(named(refused, "origin")).toMatchObject({ verdict: "fail", figures: { polling: "refused", websocket: "refused" } });
    expect(named(refused, "origin").fix).toContain('allowedOrigins: ["https://evil.example"]');
    expect(refused.exitCode).toBe(1);
    const allowed = await check(server.url, { origin: "https://good.example", messages: 1 });
    expect(named(allowed, "origin").verdict).toBe("pass");
  });

  it("names the path tried on a 404 and the path where socket.io does answer", async () => {
    const server = await echoSocket();
    const report = await check(server.url, { path: "/sockets" });
    expect(named(report, "reachable")).toMatchObject({ verdict: "fail", figures: { httpStatus: 404 } });
    expect(named(report, "reachable").detail).toContain("nothing serves socket.io at /sockets/");
    expect(named(report, "reachable").fix).toContain("socket.io answers at /socket.io: use --path /socket.io");
    expect(report.checks.slice(1).every((c) => c.verdict === "skip" && c.detail === "not run: the server is not reachable")).toBe(true);
    expect(report.exitCode).toBe(1);
  });

  it("says nothing listens on a dead port", async () => {
    const port = await freePort();
    const report = await check(`http://127.0.0.1:${port}`);
    expect(named(report, "reachable")).toMatchObject({ verdict: "fail", detail: `TCP: nothing listens on 127.0.0.1:${port} (connection refused)` });
    expect(report.exitCode).toBe(1);
  });

  it("gives up on a server that accepts connections and never answers", async () => {
    const sockets = new Set<Socket>();
    const silent = createTcpServer((socket) => void sockets.add(socket)); // reads nothing, writes nothing
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    cleanups.push(() => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => silent.close(() => resolve()));
    });
    const report = await check(`http://127.0.0.1:${(silent.address() as AddressInfo).port}`, { timeoutSeconds: 0.3 });
    expect(named(report, "reachable").verdict).toBe("fail");
    expect(named(report, "reachable").detail).toContain("got no HTTP answer");
    expect(report.exitCode).toBe(1);
  });
});
