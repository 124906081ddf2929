import { expect } from "@open-wc/testing";
import { until, useServer } from "./helpers.js";

/**
 * A plain page on another origin (the test page's) with one script tag pointing at our server:
 * the element must find its way back to the server the script came from.
 */
async function plainPage(scriptTag: string, element = "<echo-socket></echo-socket>"): Promise<Document> {
  const frame = document.createElement("iframe");
  frame.srcdoc = `<!doctype html><meta charset="utf-8"><title>plain page</title>${scriptTag}${element}`;
  const loaded = new Promise((resolve) => frame.addEventListener("load", resolve, { once: true }));
  document.body.append(frame);
  await loaded;
  return frame.contentDocument!;
}

describe("the standalone bundle", () => {
  const server = useServer();
  after(() => document.querySelectorAll("iframe").forEach((frame) => frame.remove()));

  for (const [kind, tag] of [
    ["a classic script", (src: string) => `<script src="${src}"></script>`],
    ["a module script", (src: string) => `<script type="module" src="${src}"></script>`],
    ["a script included twice", (src: string) => `<script src="${src}"></script><script src="${src}"></script>`],
  ] as const) {
    it(`works from ${kind} on another origin`, async () => {
      expect(new URL(server.url).origin).not.to.equal(location.origin);
      const page = await plainPage(tag(`${server.url}/echo/echo-socket.js`));
      const view = page.defaultView!;
      await until(() => view.customElements.get("echo-socket") !== undefined, 5000, "the element to be defined");
      const element = page.querySelector("echo-socket")!;
      await until(() => element.connectionStatus === "connected", 10_000, "connected");
      element.send("from a plain page");
      const text = (): string | undefined => element.shadowRoot!.querySelector('[part~="message"][data-state="echoed"] .text')?.textContent ?? undefined;
      await until(() => text() === "from a plain page", 5000, "the echoed entry");
    });
  }

  it("restores a message an earlier page left unsent, its claim and parser loaded on demand (echo-socket-extras.js)", async () => {
    // An id of its own: the elements of the tests above, still open, keep the record without one.
    const key = `echo-socket:unsent:${new URL(server.url).origin}/socket.io:ms#restore`;
    localStorage.setItem(key, JSON.stringify([{ messageId: "restored-standalone-1", data: "left by an earlier page" }]));
    try {
      const page = await plainPage(`<script src="${server.url}/echo/echo-socket.js"></script>`, '<echo-socket id="restore"></echo-socket>');
      const view = page.defaultView!;
      await until(() => view.customElements.get("echo-socket") !== undefined, 5000, "the element to be defined");
      const element = page.querySelector("echo-socket")!;
      const echoed = (): string[] =>
        Array.from(element.shadowRoot!.querySelectorAll('[part~="message"][data-state="echoed"] .text'), (node) => node.textContent ?? "");
      await until(() => echoed().includes("left by an earlier page"), 10_000, "the restored message echoed");
      await until(() => localStorage.getItem(key) === null, 5000, "its record claimed");
    } finally {
      localStorage.removeItem(key);
    }
  });
});
