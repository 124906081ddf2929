// Scenario 5: the element in headless Chromium (Debian's; CHROME_PATH overrides): time from page
// load to first echo vs the tutorial's page, and the cost of appending messages early vs late.
import puppeteer, { type Browser } from "puppeteer-core";
import { median, startContender } from "../contenders.js";
import type { BenchSize } from "../sizes.js";

export interface BrowserResult {
  elementFirstEchoMs: number;
  tutorialFirstEchoMs: number;
  firstBatchMs: number;
  lastBatchMs: number;
  messages: number;
  domEntries: number;
}

const CHROME_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

async function firstEcho(browser: Browser, url: string): Promise<number> {
  const context = await browser.createBrowserContext(); // a fresh profile: nothing cached
  try {
    const page = await context.newPage();
    await page.goto(url);
    await page.waitForFunction("window.firstEcho !== undefined", { timeout: 15_000 });
    return (await page.evaluate("window.firstEcho")) as number;
  } finally {
    await context.close();
  }
}

/**
 * Runs in the page: sends `total` messages in batches of 100 and times each batch until echoed and
 * rendered. Plain JavaScript text, so no helper the TypeScript loader adds travels with it.
 */
const APPEND_BATCHES = `async (total) => {
  const el = document.querySelector("echo-socket");
  const times = [];
  for (let batch = 0; batch < total / 100; batch++) {
    const started = performance.now();
    await new Promise((resolve) => {
      let echoed = 0;
      const onEcho = () => {
        if (++echoed < 100) return;
        el.removeEventListener("echo-socket-echo", onEcho);
        resolve();
      };
      el.addEventListener("echo-socket-echo", onEcho);
      for (let i = 0; i < 100; i++) el.send("message " + (batch * 100 + i));
    });
    await el.updateComplete;
    times.push(performance.now() - started);
  }
  return { first: times[0], last: times[times.length - 1], dom: el.shadowRoot.querySelectorAll('[part~="message"]').length };
}`;

export async function browserScenario(size: BenchSize): Promise<BrowserResult> {
  // The rate limit is lifted here: this measures the page, not the server's guard.
  const server = await startContender("pages", { messagesPerSecond: 1_000_000, messageBurst: 1_000_000 });
  const browser = await puppeteer.launch({ executablePath: process.env.CHROME_PATH ?? "/usr/bin/chromium", headless: true, args: CHROME_ARGS });
  try {
    const element: number[] = [];
    const tutorial: number[] = [];
    for (let i = 0; i < size.browserLoads; i++) {
      // Alternate who goes first, as the server-side scenarios do.
      const pair = i % 2 === 0 ? [element, tutorial] : [tutorial, element];
      for (const list of pair) list.push(await firstEcho(browser, `${server.url}/${list === element ? "element" : "tutorial"}.html`));
    }
    const page = await browser.newPage();
    await page.goto(`${server.url}/element.html`);
    await page.waitForFunction("window.firstEcho !== undefined", { timeout: 15_000 });
    const batches = (await page.evaluate(`(${APPEND_BATCHES})(${size.browserMessages})`)) as { first: number; last: number; dom: number };
    return {
      elementFirstEchoMs: median(element),
      tutorialFirstEchoMs: median(tutorial),
      firstBatchMs: batches.first,
      lastBatchMs: batches.last,
      messages: size.browserMessages,
      domEntries: batches.dom,
    };
  } finally {
    await browser.close();
    await server.stop();
  }
}
