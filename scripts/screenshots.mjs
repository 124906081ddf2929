// `npm run screenshots`: the README's pictures of <echo-socket>, taken in Debian's Chromium (CHROME_PATH
// overrides) from the built demo (`npm run build` first), started here on a free loopback port. Writes
// small PNGs of the element alone to docs/screenshots/: light, dark, phone (375 px), offline with queued
// messages, a diagnosis, and the composer.
import { spawn } from "node:child_process";
import { mkdirSync, statSync } from "node:fs";
import puppeteer from "puppeteer-core";

const OUT = new URL("../docs/screenshots/", import.meta.url);
mkdirSync(OUT, { recursive: true });

/** The built demo on a free port; resolves with its URL once it listens. */
function startDemo() {
  const child = spawn(process.execPath, ["dist/demo/server.js"], {
    env: { ...process.env, PORT: "0", HOST: "127.0.0.1", ECHO_SOCKET_OPTIONS: '{"logger":false}' },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`the demo exited (${code}): run npm run build first`)));
    child.stdout.on("data", (chunk) => {
      const url = /open (http:\/\/\S+?)\/?\s/.exec(String(chunk))?.[1];
      if (url) resolve({ url, child });
    });
  });
}

const demo = await startDemo();
const browser = await puppeteer.launch({
  executablePath: process.env.CHROME_PATH ?? "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run"],
});
const written = [];

/** A fresh demo page, `width` px wide, light or dark, with its element connected. */
async function demoPage({ width = 640, dark = false } = {}) {
  const page = await browser.newPage();
  await page.setViewport({ width, height: 900, deviceScaleFactor: 1 });
  await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: dark ? "dark" : "light" }]);
  await page.goto(`${demo.url}/`, { waitUntil: "load" });
  await page.waitForFunction(() => document.querySelector("echo-socket")?.connectionStatus === "connected");
  return page;
}

/** Sends `texts` through the page's element and waits for their echoes. */
async function sendAll(page, texts) {
  await page.evaluate(async (all) => {
    const element = document.querySelector("echo-socket");
    for (const text of all) {
      const echoed = new Promise((resolve) => element.addEventListener("echo-socket-echo", resolve, { once: true }));
      element.send(text);
      await echoed;
    }
  }, texts);
}

/** Waits for the element's next frame, then writes a PNG of the element alone. */
async function shoot(page, name, selector = "echo-socket") {
  await page.evaluate((css) => document.querySelector(css).updateComplete, selector);
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  const file = new URL(`${name}.png`, OUT);
  await (await page.$(selector)).screenshot({ path: file, type: "png" });
  written.push(`docs/screenshots/${name}.png (${(statSync(file).size / 1024).toFixed(1)} KB)`);
}

// Latin text only: a machine without CJK or emoji fonts would draw boxes.
const MESSAGES = ["Hello, echo!", '{"json": true}', "¡Hola, eco!", "The quick brown fox", "one more"];

try {
  for (const [name, options] of [
    ["light", {}],
    ["dark", { dark: true }],
    ["phone", { width: 375 }],
  ]) {
    const page = await demoPage(options);
    await page.evaluate(() => document.querySelector("echo-socket").setAttribute("timestamps", ""));
    await sendAll(page, MESSAGES);
    await page.waitForFunction(() => document.querySelector("echo-socket").shadowRoot.querySelector('[part~="chart"]'));
    await shoot(page, name);
    await page.close();
  }

  const composerPage = await demoPage();
  await composerPage.evaluate(() => document.querySelector("echo-socket").setAttribute("composer", ""));
  await composerPage.waitForFunction(() => document.querySelector("echo-socket").shadowRoot.querySelector('[part~="composer"]'));
  await composerPage.evaluate(async () => {
    const root = document.querySelector("echo-socket").shadowRoot;
    const kind = root.querySelector("#kind1");
    kind.value = "json";
    kind.dispatchEvent(new Event("change"));
    await document.querySelector("echo-socket").updateComplete;
    const value = root.querySelector("#value1");
    value.value = '{"json": true, "n": 1}';
    value.dispatchEvent(new Event("input"));
    root.querySelector('[part~="send"]').click();
  });
  await composerPage.waitForFunction(() =>
    document.querySelector("echo-socket").shadowRoot.querySelector('[part~="details"] pre')?.textContent.includes("acknowledgement"),
  );
  await composerPage.evaluate(() => (document.querySelector("echo-socket").shadowRoot.querySelector('[part~="details"]').open = true));
  await shoot(composerPage, "composer");
  await composerPage.close();

  // A diagnosis: an element pointed at a port nothing listens on.
  const diagnosisPage = await demoPage();
  await diagnosisPage.evaluate(() => {
    const element = document.querySelector("echo-socket");
    element.id = "shot";
    element.url = "http://127.0.0.1:9";
  });
  await diagnosisPage.waitForFunction(() => document.querySelector("echo-socket").diagnosis?.code === "unreachable");
  await shoot(diagnosisPage, "diagnosis");

  // Offline with queued messages: the demo stops, two messages wait.
  const offlinePage = await demoPage();
  await sendAll(offlinePage, MESSAGES.slice(0, 2));
  demo.child.kill("SIGTERM");
  await offlinePage.waitForFunction(() => document.querySelector("echo-socket").connectionStatus === "reconnecting");
  await offlinePage.evaluate(() => {
    const element = document.querySelector("echo-socket");
    element.send("typed while offline");
    element.send("and this one");
  });
  await shoot(offlinePage, "offline");
  console.log(`wrote\n  ${written.join("\n  ")}`);
} finally {
  await browser.close();
  demo.child.kill("SIGTERM");
}
