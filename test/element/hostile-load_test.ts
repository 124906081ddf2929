import { expect } from "@open-wc/testing";
import type { ConnectionStatus, EchoSocketElement } from "../../element/echo-socket.js";
import {
  allEchoed,
  connectedElement,
  entries,
  recordEchoIds,
  startServer,
  stopServer,
  until,
  type RunningServer,
  type ServerReport,
  watchLongTasks,
} from "./helpers.js";

const notice = (element: EchoSocketElement): string | undefined => element.shadowRoot!.querySelector('[part~="notice"]')?.textContent ?? undefined;

/** Runs `test` against a default echo-socket server; resolves with the server's report once it is stopped. */
async function againstServer(test: (server: RunningServer) => Promise<void>): Promise<ServerReport> {
  const server = await startServer();
  let stopped = false;
  try {
    await test(server);
    stopped = true;
    return await stopServer(server);
  } finally {
    if (!stopped) await stopServer(server);
  }
}

function recordStatuses(element: EchoSocketElement): ConnectionStatus[] {
  const statuses: ConnectionStatus[] = [];
  element.addEventListener("echo-socket-status", (event) => statuses.push(event.detail.status));
  return statuses;
}

describe("hostile load against a default echo-socket server", () => {
  afterEach(() => localStorage.clear());

  it("restores only max-queued of 20,000 stored messages, says how many it dropped, and delivers those once", async function () {
    this.timeout(60_000);
    let figure = "";
    const report = await againstServer(async (server) => {
      const key = `echo-socket:unsent:${server.url}/socket.io:ms#stored`;
      const stored = Array.from({ length: 20_000 }, (_, i) => ({ messageId: `stored-${i}`, data: `stored ${i}` }));
      localStorage.setItem(key, JSON.stringify(stored));
      const longestTask = watchLongTasks();
      const echoIds: Array<number | undefined> = []; // from the first echo, which may come before connectedElement() returns
      const onEcho = (event: CustomEvent<{ id: number | undefined }>): void => void echoIds.push(event.detail.id);
      document.addEventListener("echo-socket-echo", onEcho);
      const started = performance.now();
      const element = await connectedElement(server.url, 'id="stored"');
      await until(allEchoed(element, 100), 20_000, "the 100 restored messages echoed");
      const elapsed = Math.round(performance.now() - started);
      await element.updateComplete;
      expect(entries(element).map((entry) => entry.text)).to.deep.equal(Array.from({ length: 100 }, (_, i) => `stored ${i}`));
      expect(notice(element)).to.equal("19900 unsent messages from before the page was reloaded were dropped: the offline queue holds 100.");
      document.removeEventListener("echo-socket-echo", onEcho);
      expect(echoIds).to.deep.equal(Array.from({ length: 100 }, (_, i) => i + 1));
      figure = `20,000 stored: 100 restored and echoed in ${elapsed} ms; ${longestTask()}`;
    });
    expect(report.stats!.echoes).to.equal(100);
    expect(report.stats!.totalConnections, "never disconnected").to.equal(1);
    console.log(figure);
  });

  it("delivers 5,000 send() calls in order without the server closing the connection", async function () {
    this.timeout(90_000);
    let figure = "";
    const report = await againstServer(async (server) => {
      const element = await connectedElement(server.url);
      const statuses = recordStatuses(element);
      const echoIds = recordEchoIds(element);
      const longestTask = watchLongTasks();
      const started = performance.now();
      let accepted = 0;
      for (let i = 0; i < 5000; i++) if (element.send(`bulk ${i}`)) accepted++;
      expect(accepted).to.equal(5000);
      await until(() => echoIds.length >= 5000, 60_000, "5,000 echoes");
      const elapsed = Math.round(performance.now() - started);
      await element.updateComplete;
      expect(echoIds).to.deep.equal(Array.from({ length: 5000 }, (_, i) => i + 1)); // each once, in order
      expect(entries(element)).to.deep.equal(Array.from({ length: 500 }, (_, i) => ({ text: `bulk ${4500 + i}`, state: "echoed" })));
      expect(statuses, "no disconnect").to.deep.equal([]);
      expect(notice(element)).to.equal(undefined); // nothing refused
      figure = `5,000 send(): all echoed in ${elapsed} ms; ${longestTask()}`;
    });
    expect(report.stats!.echoes).to.equal(5000);
    expect(report.stats!.totalConnections, "never disconnected").to.equal(1);
    console.log(figure);
  });
});
