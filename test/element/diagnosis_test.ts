// What the element says when a connection fails, against real servers: a dead port, echo-socket on a
// wrong path and refusing this page's origin, a connection cap (HTTP 403), an app answering 404 and
// 400 "Session ID unknown" with CORS headers, and a WebSocket closed before its handshake.
import { executeServerCommand } from "@web/test-runner-commands";
import { expect, fixture, html } from "@open-wc/testing";
import type { EchoSocketElement } from "../../element/echo-socket.js";
import type { EchoStatusDetail } from "../../element/events.js";
import { connectedElement, entries, part, sendAndWait, startServer, stopServer, until, waitForStatus, withServer } from "./helpers.js";

interface HostileServer {
  id: number;
  url: string;
}

const startHostile = async (options: Record<string, unknown>) => (await executeServerCommand("start-hostile-server", options)) as HostileServer;
const stopHostile = async (server: HostileServer) => (await executeServerCommand("stop-hostile-server", { id: server.id })) as Record<string, number>;

/** An element pointed at `url`, its status events recorded. */
async function elementAt(url: string, attributes: Record<string, string> = {}) {
  const statuses: EchoStatusDetail[] = [];
  const container = await fixture<HTMLDivElement>(html`<div></div>`);
  const element = document.createElement("echo-socket");
  element.addEventListener("echo-socket-status", (event) => statuses.push(event.detail));
  element.setAttribute("url", url);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  container.append(element);
  return { element, statuses };
}

/** Waits for the element to diagnose `code`, then returns what a reader sees: the status line and the notice. */
async function diagnosed(element: EchoSocketElement, code: string) {
  await until(() => element.diagnosis?.code === code, 15_000, `diagnosis ${code} (have ${element.diagnosis?.code})`);
  await element.updateComplete;
  const notice = part(element, "diagnosis");
  expect(notice.dataset.code).to.equal(code);
  return { status: part(element, "status").textContent!, notice: notice.textContent!.replace(/\s+/g, " ").trim() };
}

describe("diagnosis of a failed connection", () => {
  it("a dead port: cannot reach, with the target, in the status event too", async () => {
    const server = await startServer();
    await stopServer(server); // nothing listens there now
    const { element, statuses } = await elementAt(server.url);
    const shown = await diagnosed(element, "unreachable");
    expect(shown.status).to.match(/^Reconnecting… · Cannot reach the server/);
    expect(shown.notice).to.contain(`${server.url}/socket.io`);
    expect(shown.notice).to.contain("Is it running, at this URL and port?");
    const detail = statuses.find((status) => status.diagnosis)!.diagnosis!;
    expect(detail).to.include({ code: "unreachable", target: `${server.url}/socket.io`, message: "Cannot reach the server" });
    // Typed while it cannot connect: queued, and the status says so.
    element.send("waiting");
    await element.updateComplete;
    expect(part(element, "status").textContent).to.contain("1 queued");
  });

  it("echo-socket on another path, from another origin: refused without CORS headers (the 404 is hidden)", async () => {
    await withServer({}, async (server) => {
      const { element } = await elementAt(server.url, { path: "/nowhere" });
      const shown = await diagnosed(element, "blocked");
      expect(shown.notice).to.contain(`${server.url}/nowhere`);
      expect(shown.notice).to.contain("the path right (404)");
    });
  });

  it("echo-socket refusing this page's origin (allowedOrigins): refused without CORS headers", async () => {
    await withServer({ options: { allowedOrigins: ["https://elsewhere.example"] } }, async (server) => {
      const { element } = await elementAt(server.url);
      const shown = await diagnosed(element, "blocked");
      expect(shown.notice).to.contain("Is this page's origin allowed (403)");
    });
  });

  it("echo-socket at its connection cap: HTTP 403 with the server's words", async () => {
    await withServer({ options: { maxConnections: 1 } }, async (server) => {
      await connectedElement(server.url); // takes the one connection
      const { element } = await elementAt(server.url);
      const shown = await diagnosed(element, "forbidden");
      expect(shown.status).to.contain("Refused (HTTP 403)");
      expect(shown.notice).to.contain("(too many connections)");
      expect(element.diagnosis).to.include({ status: 403, detail: "too many connections" });
    });
  });

  it("an app answering 404 with CORS headers: nothing at this path", async () => {
    const server = await startHostile({ kind: "status", status: 404, body: "Cannot GET /socket.io/" });
    try {
      const { element } = await elementAt(server.url);
      const shown = await diagnosed(element, "not_found");
      expect(shown.status).to.contain("Nothing at this path (HTTP 404)");
      expect(shown.notice).to.contain("Set path to the server's socket.io path.");
    } finally {
      await stopHostile(server);
    }
  });

  it('a load balancer without sticky sessions: 400 "Session ID unknown"', async () => {
    const server = await startHostile({ kind: "status", status: 400, body: '{"code":1,"message":"Session ID unknown"}' });
    try {
      const { element } = await elementAt(server.url);
      const shown = await diagnosed(element, "session_unknown");
      expect(shown.status).to.contain("Session ID unknown (HTTP 400)");
      expect(shown.notice).to.contain("The load balancer needs sticky sessions.");
    } finally {
      await stopHostile(server);
    }
  });

  it("a WebSocket closed before its handshake: long-polls, says why, and the page keeps long-polling there", async () => {
    const server = await startHostile({ kind: "websocket-closing" });
    try {
      const { element, statuses } = await elementAt(server.url);
      await waitForStatus(element, "connected");
      await element.updateComplete;
      expect(statuses.some((status) => status.status === "reconnecting" && status.diagnosis?.code === "websocket_blocked")).to.equal(true);
      expect(part(element, "status").textContent).to.match(/^Connected \(polling\) · WebSocket blocked: long-polling/);
      expect(part(element, "diagnosis").textContent).to.contain("dropped its Upgrade header");
      await sendAndWait(element, "over long-polling");
      // A second element of the page goes straight to long-polling: no WebSocket is tried again.
      const second = await elementAt(server.url);
      await waitForStatus(second.element, "connected");
      expect(second.statuses.filter((status) => status.status === "reconnecting")).to.deep.equal([]);
      expect(second.element.diagnosis?.code).to.equal("websocket_blocked");
    } finally {
      const { websocketsClosed } = await stopHostile(server);
      expect(websocketsClosed).to.equal(1);
    }
  });
});

describe("why a message failed", () => {
  it("a wrong send-event: no acknowledgement within ack-timeout after every try", async () => {
    await withServer({}, async (server) => {
      const element = await connectedElement(server.url, 'send-event="wrong" ack-timeout="200" retries="1"');
      element.send("lost");
      await until(() => entries(element)[0]?.state === "failed", 10_000, "the message to fail");
      await element.updateComplete;
      expect(part(element, "message").querySelector(".state")!.textContent).to.equal("failed · no acknowledgement within 200 ms (attempts: 2)");
    });
  });

  it("a refusal: its code and the server's sentence", async () => {
    await withServer({ options: { maxMessageBytes: 16 } }, async (server) => {
      const element = await connectedElement(server.url);
      element.send("x".repeat(64));
      await until(() => entries(element)[0]?.state === "failed", 10_000, "the refusal");
      await element.updateComplete;
      expect(part(element, "message").querySelector(".state")!.textContent).to.match(/^failed · message_too_large: /);
    });
  });
});
