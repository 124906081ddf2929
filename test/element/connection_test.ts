import { expect, fixture, html, oneEvent } from "@open-wc/testing";
import type { EchoSocketElement } from "../../element/echo-socket.js";
import { connectedElement, entries, sendAndWait, startServer, stopServer, waitForStatus, withServer } from "./helpers.js";

describe("connection", () => {
  it("goes to reconnecting when the server stops, and back to connected when it returns", async () => {
    const first = await startServer();
    const element = await connectedElement(first.url);
    const statuses: string[] = [];
    element.addEventListener("echo-socket-status", (event) => statuses.push(event.detail.status));
    await stopServer(first);
    await waitForStatus(element, "reconnecting");
    // Typed while the server is down: queued, then sent once it is back.
    element.send("while down");
    await element.updateComplete;
    expect(entries(element)).to.deep.equal([{ text: "while down", state: "queued" }]);

    await withServer({ port: first.port }, async (_second) => {
      const echoed = oneEvent(element, "echo-socket-echo");
      await waitForStatus(element, "connected", 20_000);
      expect((await echoed).detail.data).to.equal("while down");
      await element.updateComplete;
      expect(entries(element)).to.deep.equal([{ text: "while down", state: "echoed" }]);
      expect(statuses[0]).to.equal("reconnecting");
      expect(statuses.at(-1)).to.equal("connected");
    });
  });

  it("works against the tutorial's own server", async () => {
    await withServer({ kind: "tutorial" }, async (tutorial) => {
      const element = await connectedElement(tutorial.url);
      const { detail } = await sendAndWait(element, "받은메시지");
      expect(detail.data).to.equal("받은메시지");
      await element.updateComplete;
      expect(entries(element)).to.deep.equal([{ text: "받은메시지", state: "echoed" }]);
    });
  });

  it("honours custom path and event names", async () => {
    await withServer({}, async (server) => {
      // The server speaks ms/echo on /socket.io; an element on another path never connects...
      const lost = await fixture<EchoSocketElement>(html`<echo-socket url=${server.url} path="/nowhere"></echo-socket>`);
      await waitForStatus(lost, "reconnecting");
      // ...and one whose echo event differs sends, but sees no echo.
      const element = await connectedElement(server.url, 'echo-event="other"');
      element.send("unanswered");
      await new Promise((resolve) => setTimeout(resolve, 300));
      await element.updateComplete;
      expect(entries(element)).to.deep.equal([{ text: "unanswered", state: "sent" }]);
      element.echoEvent = "echo";
      await element.updateComplete; // the old connection is closed here
      await waitForStatus(element, "connected");
      await sendAndWait(element, "answered");
    });
  });
});
