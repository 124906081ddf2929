import { expect } from "@open-wc/testing";
import type { EchoSocketElement } from "../../element/echo-socket.js";
import { allEchoed, connectedElement, entries, recordEchoIds, scaled, startScaledDeployment, stopServer, until } from "./helpers.js";

// Two echo-socket nodes sharing one Redis behind nginx, all real and started by the test (see
// test/support/scaled-deployment.mjs); the element talks to nginx only.

interface Health {
  status: string;
  connections: number;
  nodes: number;
}

/**
 * Sends `count` messages 20 ms apart, running `at[i]` (awaited) before message i; returns how many
 * messages the element showed as queued (typed while no connection was up) at the most.
 */
async function sendSpaced(element: EchoSocketElement, count: number, at: Record<number, () => Promise<unknown>>): Promise<number> {
  let mostQueued = 0;
  for (let i = 0; i < count; i++) {
    await at[i]?.();
    expect(element.send(`message ${i}`), `message ${i} accepted`).to.equal(true);
    await element.updateComplete;
    mostQueued = Math.max(mostQueued, entries(element).filter((entry) => entry.state === "queued").length);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return mostQueued;
}

describe("scale-out through nginx, two nodes, one Redis", function () {
  this.timeout(90_000);
  afterEach(() => localStorage.clear());

  it("fails over when the serving node is killed: every message, offline and in flight, echoed once, in order", async () => {
    const deployment = await startScaledDeployment();
    try {
      const element = await connectedElement(deployment.url, 'max-messages="200" max-queued="200"');
      const echoIds = recordEchoIds(element);
      const serving = await scaled<number>(deployment, "serving-node");
      expect(serving).to.be.oneOf([0, 1]);
      const started = performance.now();
      const mostQueued = await sendSpaced(element, 60, { 20: () => scaled(deployment, "kill-node", serving) });
      await until(allEchoed(element, 60), 30_000, "60 echoes");
      const elapsed = performance.now() - started;
      await new Promise((resolve) => setTimeout(resolve, 500)); // room for a late duplicate to show

      expect(entries(element).map((entry) => entry.text)).to.deep.equal(Array.from({ length: 60 }, (_, i) => `message ${i}`));
      expect(echoIds.length).to.equal(60);
      expect(new Set(echoIds).size).to.equal(60);
      expect(mostQueued, "messages typed while failing over waited in the queue").to.be.greaterThan(0);
      expect(await scaled<number>(deployment, "serving-node")).to.equal(1 - serving);
      const health = await scaled<Health>(deployment, "health");
      expect(health).to.include({ status: "ok", connections: 1, nodes: 1 });
      console.log(`failover: 60/60 echoed once, in order, in ${Math.round(elapsed)} ms; at most ${mostQueued} queued while failing over`);
    } finally {
      await stopServer(deployment);
    }
  });

  it("sends what was queued before a page reload, once, through the other node", async () => {
    const deployment = await startScaledDeployment();
    const frame = document.createElement("iframe");
    try {
      frame.srcdoc = `<!doctype html><script src="${deployment.url}/echo/echo-socket.js"></script><echo-socket id="reload" url="${deployment.url}"></echo-socket>`;
      const loaded = () => new Promise((resolve) => frame.addEventListener("load", resolve, { once: true }));
      const firstLoad = loaded();
      document.body.append(frame);
      await firstLoad;
      const inFrame = (): EchoSocketElement => frame.contentDocument!.querySelector("echo-socket")!;
      await until(() => inFrame()?.connectionStatus === "connected", 10_000, "connected");
      const serving = await scaled<number>(deployment, "serving-node");
      // Both nodes down: the page is offline; what is typed now must survive the reload.
      await scaled(deployment, "kill-node", serving);
      await scaled(deployment, "kill-node", 1 - serving);
      await until(() => inFrame().connectionStatus === "reconnecting", 10_000, "reconnecting");
      for (const text of ["one", "two", "three"]) inFrame().send(text);
      const key = `echo-socket:unsent:${deployment.url}/socket.io:ms#reload`;
      await until(() => localStorage.getItem(key) !== null, 2000, "saved");

      const reloaded = loaded();
      frame.contentWindow!.location.reload();
      await reloaded;
      await until(() => inFrame()?.shadowRoot !== null && entries(inFrame()).length === 3, 10_000, "restored entries");
      expect(entries(inFrame())).to.deep.equal(["one", "two", "three"].map((text) => ({ text, state: "queued" })));

      await scaled(deployment, "start-node", 1 - serving); // the other node comes up; nginx sends the page there
      await until(allEchoed(inFrame(), 3), 20_000, "restored messages echoed");
      expect(entries(inFrame()).map((entry) => entry.text)).to.deep.equal(["one", "two", "three"]);
      await until(() => localStorage.getItem(key) === null, 2000, "storage emptied");
    } finally {
      frame.remove();
      await stopServer(deployment);
    }
  });

  it("loses nothing while Redis is killed and restarted mid-run", async () => {
    const deployment = await startScaledDeployment();
    try {
      const element = await connectedElement(deployment.url, 'max-messages="200" max-queued="200"');
      const echoIds = recordEchoIds(element);
      let degraded: Health | undefined;
      await sendSpaced(element, 60, {
        20: () => scaled(deployment, "stop-redis"),
        30: async () => (degraded = await scaled<Health>(deployment, "health")),
        40: () => scaled(deployment, "start-redis"),
      });
      await until(allEchoed(element, 60), 30_000, "60 echoes");
      await new Promise((resolve) => setTimeout(resolve, 500));

      expect(degraded?.status).to.equal("degraded");
      expect(entries(element).map((entry) => entry.text)).to.deep.equal(Array.from({ length: 60 }, (_, i) => `message ${i}`));
      expect(echoIds.length).to.equal(60);
      expect(new Set(echoIds).size).to.equal(60);
      let health: Health | undefined;
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline && (health = await scaled<Health>(deployment, "health")).status !== "ok") {
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(health?.status).to.equal("ok");
    } finally {
      await stopServer(deployment);
    }
  });
});
