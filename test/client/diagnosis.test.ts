// The classification of failed connections (client/diagnosis.ts), from plain facts and from the errors
// socket.io-client really raises, and, against real servers in Node, the status event's diagnosis.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Server } from "socket.io";
import { WebSocketServer } from "ws";
import { afterEach, describe, expect, it } from "vitest";
import { DIAGNOSES, diagnose, EchoClient, type Diagnosis, type StatusEvent } from "../../client/index.js";
import { failureFacts } from "../../client/diagnosis.js";

const TARGET = "http://127.0.0.1:1/socket.io";
/** socket.io's TransportError as engine.io-client makes it: reason, HTTP status, the XMLHttpRequest. */
const transportError = (description: unknown, responseText?: string) =>
  Object.assign(new Error("xhr poll error"), { type: "TransportError", description, context: responseText === undefined ? undefined : { responseText } });
const codeOf = (error: unknown, extra = {}) => diagnose({ ...failureFacts(error), ...extra }, TARGET).code;

describe("diagnose()", () => {
  it("names every code once, each with a message and a hint", () => {
    for (const [code, [message, hint]] of Object.entries(DIAGNOSES)) {
      expect(message.length, code).toBeGreaterThan(5);
      expect(hint.length, code).toBeGreaterThan(10);
    }
  });

  it("classifies what socket.io-client reports", () => {
    expect(codeOf(transportError(0))).toBe("unreachable");
    expect(codeOf(transportError(0), { reachable: true })).toBe("blocked");
    expect(codeOf(Object.assign(new Error("websocket error"), { type: "TransportError", description: {} }))).toBe("unreachable");
    expect(codeOf(new Error("timeout"))).toBe("timeout");
    expect(codeOf(transportError(403, '{"code":4,"message":"origin not allowed"}'))).toBe("forbidden");
    expect(codeOf(transportError(404, "Cannot GET /nowhere/"))).toBe("not_found");
    expect(codeOf(transportError(400, '{"code":1,"message":"Session ID unknown"}'))).toBe("session_unknown");
    expect(codeOf(transportError(400, '{"code":3,"message":"Bad request"}'))).toBe("http_error");
    expect(codeOf(transportError(502, "Bad Gateway"))).toBe("http_error");
    expect(codeOf(Object.assign(new Error("websocket closed before the handshake"), { websocketClosed: true }))).toBe("websocket_blocked");
    expect(codeOf(new Error("not authorized"))).toBe("rejected");
    expect(codeOf("io server disconnect", { refusal: { code: "too_many_violations", message: "Kept exceeding limits." } })).toBe("refused");
  });

  it("keeps the target, the HTTP status and the server's own words", () => {
    expect(diagnose(failureFacts(transportError(403, '{"code":4,"message":"too many connections"}')), TARGET)).toEqual({
      code: "forbidden",
      target: TARGET,
      message: DIAGNOSES.forbidden[0],
      hint: DIAGNOSES.forbidden[1],
      status: 403,
      detail: "too many connections",
    } satisfies Diagnosis);
    expect(diagnose(failureFacts(transportError(502, "<html>Bad Gateway</html>")), TARGET)).toMatchObject({
      code: "http_error",
      status: 502,
      detail: "HTTP 502",
    });
    expect(diagnose(failureFacts(new Error("not authorized")), TARGET)).toMatchObject({ code: "rejected", detail: "not authorized" });
    expect(diagnose({ message: "io server disconnect", refusal: { code: "too_many_violations", message: "Kept exceeding limits." } }, TARGET)).toMatchObject({
      code: "refused",
      detail: "too_many_violations: Kept exceeding limits.",
    });
    expect(diagnose(failureFacts(transportError(0)), TARGET)).not.toHaveProperty("status");
  });
});

describe("EchoClient's status event diagnosis (Node, real servers)", () => {
  const cleanup: Array<() => unknown> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  async function listening(server: ReturnType<typeof createServer>): Promise<string> {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    cleanup.push(() => new Promise((resolve) => server.close(resolve)));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  function client(url: string): { client: EchoClient; next: (accept: (event: StatusEvent) => boolean) => Promise<StatusEvent> } {
    const made = new EchoClient({ url, autoConnect: false, socketOptions: { reconnectionDelay: 50, reconnectionDelayMax: 200 } });
    cleanup.push(() => made.close());
    return {
      client: made,
      next: (accept) => new Promise((resolve) => made.on("status", (event) => accept(event) && resolve(event))),
    };
  }

  it("a port nothing listens on: unreachable, with the target", async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
    await new Promise((resolve) => probe.close(resolve)); // closed again: a dead port
    const { client: made, next } = client(url);
    const failed = next((event) => event.diagnosis !== undefined);
    made.connect();
    expect((await failed).diagnosis).toMatchObject({ code: "unreachable", target: `${url}/socket.io` });
    expect(made.diagnosis?.code).toBe("unreachable");
  });

  it("a WebSocket accepted and closed at once: connected over long-polling, saying why", async () => {
    const http = createServer();
    const io = new Server(http, { transports: ["polling"], cors: { origin: "*" } });
    const wss = new WebSocketServer({ noServer: true });
    let closed = 0;
    http.on("upgrade", (req, socket, head) =>
      wss.handleUpgrade(req, socket, head, (ws) => {
        closed++;
        ws.close();
      }),
    );
    cleanup.push(
      () => new Promise((resolve) => io.close(() => resolve(undefined))),
      () => wss.close(),
    );
    const url = await listening(http);
    const { client: made, next } = client(url);
    const connected = next((event) => event.status === "connected");
    made.connect();
    const event = await connected;
    expect(event.transport).toBe("polling");
    expect(event.diagnosis).toMatchObject({ code: "websocket_blocked", target: `${url}/socket.io` });
    expect(closed).toBe(1);
  });
});
