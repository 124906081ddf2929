// axe-core (the engine of Lighthouse's and Deque's checks) on the element in every state a reader meets,
// and what axe cannot judge: the live region, targets of 24 x 24 CSS px, shapes that are not colours,
// the keyboard (history, Clear), empty-state text, timestamps, and stale round-trip times while offline.
import "axe-core/axe.min.js";
import { emulateMedia, sendKeys, setViewport } from "@web/test-runner-commands";
import { expect, fixture, html } from "@open-wc/testing";
import type { EchoSocketElement } from "../../element/echo-socket.js";
import { connectedElement, engine, entries, part, sendAndWait, startServer, stopServer, until, waitForStatus, withServer } from "./helpers.js";

declare const axe: {
  run(
    context: Element,
    options: object,
  ): Promise<{ violations: Array<{ id: string; impact: string; nodes: Array<{ target: unknown; failureSummary: string }> }> }>;
};

/** axe's violations for `element` (its shadow root included), as readable lines. */
async function violations(element: Element): Promise<string[]> {
  const { violations: found } = await axe.run(element, { resultTypes: ["violations"] });
  return found.flatMap((violation) =>
    violation.nodes.map((node) => `${violation.id} (${violation.impact}) at ${JSON.stringify(node.target)}: ${node.failureSummary}`),
  );
}

/** Every button, input, select, textarea and summary of the element, at least 24 x 24 CSS px. */
function smallTargets(element: EchoSocketElement): string[] {
  return Array.from(element.shadowRoot!.querySelectorAll<HTMLElement>("button, input, select, textarea, summary"))
    .map((target) => ({ target, box: target.getBoundingClientRect() }))
    .filter(({ box }) => box.width > 0 && (box.width < 24 || box.height < 24))
    .map(({ target, box }) => `${target.outerHTML.slice(0, 60)}: ${box.width.toFixed(1)} x ${box.height.toFixed(1)}`);
}

describe("accessibility", () => {
  afterEach(async () => {
    await setViewport({ width: 800, height: 600 });
  });

  it("connected, with echoes, a chart and timestamps: axe clean, targets 24 px, status in a polite live region", async () => {
    await withServer({}, async (server) => {
      const element = await connectedElement(server.url, "timestamps");
      for (const text of ["one", "two", "three"]) await sendAndWait(element, text);
      await until(() => element.shadowRoot!.querySelector('[part~="chart"]') !== null, 5000, "the chart");
      await element.updateComplete;
      expect(await violations(element)).to.deep.equal([]);
      expect(smallTargets(element)).to.deep.equal([]);
      const live = part(element, "status").querySelector('[role="status"]')!;
      expect(live.textContent).to.equal("Connected (websocket)"); // round-trip figures stay out of the announcements
      const chart = part(element, "chart");
      expect(chart.getAttribute("role")).to.equal("img");
      expect(chart.getAttribute("aria-label")).to.match(/^Round trips of the last 3 echoes: median \d+ ms, p95 \d+ ms, max \d+ ms$/);
      expect(element.shadowRoot!.querySelector(".time")!.textContent).to.match(/\d/);
      element.noChart = true;
      await element.updateComplete;
      expect(element.shadowRoot!.querySelector('[part~="chart"]')).to.equal(null);
    });
  });

  it("reconnecting: axe clean; the dot is a ring, not only a colour; old round-trip times are hidden", async () => {
    const server = await startServer();
    const element = await connectedElement(server.url);
    await sendAndWait(element, "before the drop");
    await element.updateComplete;
    expect(part(element, "status").textContent).to.contain("RTT");
    await stopServer(server);
    await waitForStatus(element, "reconnecting");
    element.send("queued while down");
    await element.updateComplete;
    const status = part(element, "status");
    expect(status.textContent).not.to.contain("RTT");
    const dot = getComputedStyle(status, "::before");
    expect(dot.backgroundColor).to.equal("rgba(0, 0, 0, 0)"); // a ring: hollow...
    expect(dot.borderTopStyle).to.equal("solid"); // ...drawn by its border
    expect(await violations(element)).to.deep.equal([]);
    expect(smallTargets(element)).to.deep.equal([]);
  });

  it("failed with a reason (and a failed message with Retry): axe clean, the Retry button 24 px tall", async () => {
    await withServer({ options: { maxMessageBytes: 16 } }, async (server) => {
      const element = await connectedElement(server.url);
      element.send("x".repeat(64));
      await until(() => entries(element)[0]?.state === "failed", 10_000, "the failed message");
      await element.updateComplete;
      expect(part(element, "retry").getBoundingClientRect().height).to.be.at.least(24);
      expect(await violations(element)).to.deep.equal([]);
    });
    const dead = await startServer();
    await stopServer(dead);
    const element = await fixture<EchoSocketElement>(html`<echo-socket url=${dead.url}></echo-socket>`);
    await until(() => element.diagnosis?.code === "unreachable", 10_000, "the diagnosis");
    await element.updateComplete;
    expect(await violations(element)).to.deep.equal([]);
  });

  it("the composer open: axe clean, every control labelled and 24 px", async () => {
    await withServer({}, async (server) => {
      const element = await connectedElement(server.url, "composer");
      await until(() => part(element, "composer") !== null, 5000, "the composer");
      await sendAndWait(element, "with details");
      await element.updateComplete;
      expect(await violations(element)).to.deep.equal([]);
      expect(smallTargets(element)).to.deep.equal([]);
    });
  });

  it("dark and 375 px wide: axe clean (contrast included), nothing wider than the screen", async function () {
    try {
      await emulateMedia({ colorScheme: "dark" });
    } catch (error) {
      // puppeteer-core's WebDriver BiDi session with Firefox has no media emulation.
      console.log(`${engine}: prefers-color-scheme cannot be emulated here (${(error as Error).message.split("\n")[0]}); the dark check runs in Chromium`);
      this.skip();
    }
    try {
      await setViewport({ width: 375, height: 700 });
      await withServer({}, async (server) => {
        const element = await connectedElement(server.url, "timestamps");
        await sendAndWait(element, "a message long enough to wrap on a phone's narrow screen, and then some more");
        await element.updateComplete;
        expect(getComputedStyle(element).backgroundColor).to.equal("rgb(13, 17, 23)"); // the dark palette
        expect(await violations(element)).to.deep.equal([]);
        expect(element.getBoundingClientRect().right).to.be.at.most(375);
        expect(element.scrollWidth).to.be.at.most(element.clientWidth + 2);
        element.setAttribute("composer", "");
        await until(() => part(element, "composer") !== null, 5000, "the composer");
        await element.updateComplete;
        expect(await violations(element)).to.deep.equal([]);
        expect(element.getBoundingClientRect().right).to.be.at.most(375);
      });
    } finally {
      await emulateMedia({ colorScheme: "light" });
    }
  });
});

describe("keyboard and polish", () => {
  it("ArrowUp and ArrowDown walk through the messages sent; Clear empties the list and shows the empty-state text", async () => {
    await withServer({}, async (server) => {
      const element = await connectedElement(server.url);
      const output = part(element, "output");
      // The text is the list's `data-empty`, shown by CSS `attr()`: Chromium's computed style resolves
      // it, Firefox's returns `attr(data-empty)` as written.
      const emptyText = (): string => getComputedStyle(output, "::before").content;
      expect(output.dataset.empty).to.equal("No messages yet.");
      expect(emptyText()).to.be.oneOf(['"No messages yet."', "attr(data-empty)"]);
      const input = part<HTMLInputElement>(element, "input");
      input.focus();
      for (const text of ["first", "second"]) {
        await sendKeys({ type: text });
        await sendKeys({ press: "Enter" });
        await until(() => entries(element).at(-1)?.text === text && entries(element).at(-1)?.state === "echoed", 5000, `${text} echoed`);
      }
      await sendKeys({ press: "ArrowUp" });
      expect(input.value).to.equal("second");
      await sendKeys({ press: "ArrowUp" });
      expect(input.value).to.equal("first");
      await sendKeys({ press: "ArrowDown" });
      expect(input.value).to.equal("second");
      await sendKeys({ press: "ArrowDown" });
      expect(input.value).to.equal("");
      part(element, "clear").focus();
      await sendKeys({ press: "Enter" });
      await element.updateComplete;
      expect(entries(element)).to.deep.equal([]);
      expect(emptyText()).to.be.oneOf(['"No messages yet."', "attr(data-empty)"]);
      expect(output.childElementCount).to.equal(0);
    });
  });
});
