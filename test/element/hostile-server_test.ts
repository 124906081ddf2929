import { executeServerCommand } from "@web/test-runner-commands";
import { expect } from "@open-wc/testing";
import { connectedElement, entries, until, watchLongTasks } from "./helpers.js";

interface HostileServer {
  id: number;
  url: string;
}

/** Starts a server from test/element/hostile-servers.mjs (`hostileServersPlugin()` in web-test-runner.config.mjs). */
const startHostile = async (options: Record<string, unknown>) => (await executeServerCommand("start-hostile-server", options)) as HostileServer;

const stopHostile = async (server: HostileServer) =>
  (await executeServerCommand("stop-hostile-server", { id: server.id })) as { sends: number; echoes: number };

describe("against a hostile server", () => {
  it("does not re-send in a loop when refused with retryAfterMs 1e12", async () => {
    const server = await startHostile({ kind: "refusing" });
    try {
      const element = await connectedElement(server.url);
      element.send("refused");
      await until(() => element.shadowRoot!.querySelector('[part~="notice"]') !== null, 5000, "the refusal's notice");
      // The scenario's own wait: with setTimeout's overflow this was ~1,000 re-sends; now none.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await element.updateComplete;
      expect(entries(element)).to.deep.equal([{ text: "refused", state: "queued" }]);
    } finally {
      const { sends } = await stopHostile(server);
      expect(sends).to.equal(1);
    }
  });

  it("keeps showing the newest max-messages entries through 10,000 echoes a second", async function () {
    this.timeout(30_000);
    const server = await startHostile({ kind: "flooding", perSecond: 10_000, seconds: 3 });
    try {
      const longestTask = watchLongTasks();
      const element = await connectedElement(server.url);
      let echoes = 0;
      element.addEventListener("echo-socket-echo", () => echoes++);
      await until(() => entries(element).at(-1)?.text === "flood 29999", 25_000, "the last echo shown");
      const shown = entries(element);
      expect(shown.length).to.equal(500);
      expect(shown.every((entry, i) => entry.text === `flood ${29_500 + i}` && entry.state === "received")).to.equal(true);
      console.log(`10,000 echoes/s for 3 s: ${echoes} echo events after connecting; ${longestTask()}`);
    } finally {
      await stopHostile(server);
    }
  });
});
