import { expect } from "@open-wc/testing";
import type { EchoSocketElement } from "../../element/echo-socket.js";
import {
  allEchoed,
  connectedElement,
  elementInFrame,
  entries,
  recordEchoIds,
  scaled,
  sendAndWait,
  serverHealth,
  startScaledDeployment,
  stopServer,
  until,
  withServer,
} from "./helpers.js";
// The Node side's polling helper is plain ESM: the browser runs it too, for a condition that needs awaiting.
import { until as pollUntil } from "../support/until.mjs";

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
    let page: Awaited<ReturnType<typeof elementInFrame>> | undefined;
    try {
      page = await elementInFrame(deployment.url, deployment.url);
      const { element: inFrame, storageKey: key, reload } = page;
      await until(() => inFrame()?.connectionStatus === "connected", 10_000, "connected");
      const serving = await scaled<number>(deployment, "serving-node");
      // Both nodes down: the page is offline; what is typed now must survive the reload.
      await scaled(deployment, "kill-node", serving);
      await scaled(deployment, "kill-node", 1 - serving);
      await until(() => inFrame().connectionStatus === "reconnecting", 10_000, "reconnecting");
      for (const text of ["one", "two", "three"]) inFrame().send(text);
      await until(() => localStorage.getItem(key) !== null, 10_000, "saved");

      await reload();
      await until(() => inFrame()?.shadowRoot !== null && entries(inFrame()).length === 3, 10_000, "restored entries");
      expect(entries(inFrame())).to.deep.equal(["one", "two", "three"].map((text) => ({ text, state: "queued" })));

      await scaled(deployment, "start-node", 1 - serving); // the other node comes up; nginx sends the page there
      await until(allEchoed(inFrame(), 3), 20_000, "restored messages echoed");
      expect(entries(inFrame()).map((entry) => entry.text)).to.deep.equal(["one", "two", "three"]);
      await until(() => localStorage.getItem(key) === null, 10_000, "storage emptied");
    } finally {
      page?.frame.remove();
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
      const ok = async (): Promise<boolean> => (health = await scaled<Health>(deployment, "health")).status === "ok";
      await pollUntil(ok, { interval: 200, timeout: 20_000, what: "health to say ok" }).catch(() => undefined);
      expect(health?.status).to.equal("ok");
      console.log(`Redis outage: 60/60 echoed once, in order; health "${degraded?.status}" during it, "${health?.status}" after`);
    } finally {
      await stopServer(deployment);
    }
  });
});

describe("npm run start:cluster in the browser", () => {
  it("serves the tutorial's page, unchanged but for the server's address, and the element on both workers", async () => {
    await withServer({ kind: "cluster", workers: 2 }, async (cluster) => {
      // The tutorial's page as written there (socket.io's own client, polling first, then the
      // upgrade to WebSocket through @socket.io/sticky), four times, so both workers get some.
      const frames = Array.from({ length: 4 }, () => {
        const frame = document.createElement("iframe");
        frame.srcdoc = tutorialPage(cluster.url);
        document.body.append(frame);
        return frame;
      });
      try {
        const elements = await Promise.all([0, 1].map(() => connectedElement(cluster.url)));
        await until(
          () => frames.every((frame) => (frame.contentWindow as TutorialWindow | null)?.socket?.connected === true),
          10_000,
          "tutorial pages connected",
        );
        frames.forEach((frame, i) => {
          const page = frame.contentDocument!;
          page.querySelector<HTMLInputElement>("#message")!.value = `<b>page ${i}</b>`;
          page.querySelector("button")!.click();
        });
        const echoed = await Promise.all(elements.map((element, i) => sendAndWait(element, `element ${i}`)));
        expect(echoed.map((event) => event.detail.data)).to.deep.equal(["element 0", "element 1"]);
        await until(() => frames.every((frame) => frame.contentDocument!.querySelectorAll("#output p").length === 1), 10_000, "tutorial echoes");
        // The tutorial writes with innerHTML (its XSS hole): the echo came back byte for byte.
        frames.forEach((frame, i) => expect(frame.contentDocument!.querySelector("#output p b")!.textContent).to.equal(`page ${i}`));
        await until(() => frames.every((frame) => (frame.contentWindow as TutorialWindow).socket.io.engine.transport.name === "websocket"), 10_000, "upgrades");
        const health = await serverHealth<{ nodes: number; connections: number; echoes: number }>(cluster);
        expect(health).to.include({ nodes: 2, connections: 6, echoes: 6 });
      } finally {
        frames.forEach((frame) => frame.remove());
      }
    });
  });
});

interface TutorialWindow extends Window {
  socket: { connected: boolean; io: { engine: { transport: { name: string } } } };
}

/** The seed tutorial's client page; only the server address differs. */
function tutorialPage(url: string): string {
  return `<!DOCTYPE html>
<meta charset="utf-8" />
<title>WebSocket Test</title>
<script src="${url}/socket.io/socket.io.js"></script>
<script>
  var socket = io.connect( "${url}" , {path: "/socket.io"} );
  socket.on( 'echo', function( data ){
    console.log( data );
    writeToScreen( "받은메시지:" + data )
  });
  function sendMessage( )
  {
    mss = document.getElementById( "message" ).value;
    socket.emit( "ms", mss );
  }
  function writeToScreen(message)
  {
    var pre = document.createElement("p");
    pre.style.wordWrap = "break-word";
    pre.innerHTML = message;
    output.appendChild(pre);
  }
</script>
<h2>소켓 io 동작을 테스트 하기 위한 node js 입니다.</h2>
<form>
    <input id="message" /> <button type="button" onclick="sendMessage();" >전송</button><br>
</form>
<div id="output"></div>`;
}
