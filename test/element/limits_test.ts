import { expect } from "@open-wc/testing";
import type { EchoSocketElement } from "../../element/echo-socket.js";
import { connectedElement, entries, part, sendAndWait, until, withServer } from "./helpers.js";

const notice = (element: EchoSocketElement): string | undefined => element.shadowRoot!.querySelector('[part~="notice"]')?.textContent ?? undefined;

describe("server limits, as the reader sees them", () => {
  it("shows the rate limit's reason, backs off, and still delivers every message once", async () => {
    await withServer({ options: { messagesPerSecond: 5, messageBurst: 2 } }, async (server) => {
      const element = await connectedElement(server.url);
      const echoIds: Array<number | undefined> = [];
      element.addEventListener("echo-socket-echo", (event) => echoIds.push(event.detail.id));
      const notices = new Set<string>();
      const watcher = setInterval(() => notice(element) && notices.add(notice(element)!), 5);
      for (let i = 1; i <= 8; i++) element.send(`fast ${i}`);
      await until(() => entries(element).filter((entry) => entry.state === "echoed").length === 8, 10_000, "8 echoes");
      clearInterval(watcher);
      expect([...notices]).to.include("Too many messages too fast: the server accepts 5 a second. Wait a moment and it goes through.");
      expect(entries(element).map((entry) => entry.text)).to.have.members(Array.from({ length: 8 }, (_, i) => `fast ${i + 1}`));
      expect(new Set(echoIds).size).to.equal(8);
      expect(echoIds.length).to.equal(8);
      await until(() => notice(element) === undefined, 10_000, "the notice to clear once sending resumed");
    });
  });

  it("marks a message the server finds too large as failed, saying why, and goes on", async () => {
    await withServer({ options: { maxMessageBytes: 80 } }, async (server) => {
      const element = await connectedElement(server.url);
      element.send("x".repeat(100));
      await until(() => entries(element)[0]?.state === "failed", 5000, "failed");
      const reason = "This message is larger than the server accepts (80 bytes)."; // "short" with its id is 51 bytes of JSON
      expect(part(element, "message").textContent).to.contain(reason);
      expect(notice(element)).to.equal(reason);
      await sendAndWait(element, "short");
      await element.updateComplete;
      expect(entries(element).map((entry) => entry.state)).to.deep.equal(["failed", "echoed"]);
    });
  });
});
