// What the element shows of what a server sends: at most 10,000 characters of a payload (megabyte
// echoes 50 times a second made 9 s of long tasks in 10 s), and the plain form when the composer's
// extras cannot be loaded (composer mode showed no input at all).
import { executeServerCommand } from "@web/test-runner-commands";
import { expect } from "@open-wc/testing";
import type { EchoSocketElement } from "../../element/echo-socket.js";
import { pretty } from "../../element/extras.js";
import { formatPayload, MAX_SHOWN_CHARS } from "../../element/format.js";
import { connectedElement, sendAndWait, until, useServer } from "./helpers.js";

describe("payload text shown", () => {
  const server = useServer();

  it("formatPayload and the composer's pretty() cut past MAX_SHOWN_CHARS, with …", () => {
    const big = "x".repeat(1_000_000);
    for (const text of [formatPayload(big), formatPayload({ big }), pretty(big), pretty([{ big }])]) {
      expect(text.length).to.equal(MAX_SHOWN_CHARS);
      expect(text.endsWith("…")).to.equal(true);
    }
    expect(formatPayload("short")).to.equal("short");
    expect(pretty({ a: 1 })).to.equal('{\n  "a": 1\n}');
  });

  it("shows at most MAX_SHOWN_CHARS of a long echo", async () => {
    const element = await connectedElement(server.url);
    const text = "y".repeat(MAX_SHOWN_CHARS * 2);
    await sendAndWait(element, text);
    await element.updateComplete;
    const shown = element.shadowRoot!.querySelector('[part~="message"] .text')!.textContent!;
    expect(shown.length).to.equal(MAX_SHOWN_CHARS);
  });
});

describe("composer whose extras cannot be loaded", () => {
  afterEach(() => document.querySelectorAll("iframe").forEach((frame) => frame.remove()));

  it("falls back to the plain form, which sends", async function () {
    this.timeout(20_000);
    // Serves the bundle and config.json, and nothing else: echo-socket-extras.js is a 404.
    const server = (await executeServerCommand("start-hostile-server", { kind: "config", config: "{}" })) as { id: number; url: string };
    try {
      const frame = document.createElement("iframe");
      frame.srcdoc = `<!doctype html><meta charset="utf-8"><script src="${server.url}/echo/echo-socket.js"></script><echo-socket composer></echo-socket>`;
      const loaded = new Promise((resolve) => frame.addEventListener("load", resolve, { once: true }));
      document.body.append(frame);
      await loaded;
      await until(() => frame.contentWindow!.customElements.get("echo-socket") !== undefined, 5000, "the element to be defined");
      const element = frame.contentDocument!.querySelector("echo-socket") as EchoSocketElement;
      const input = (): HTMLInputElement | null => element.shadowRoot?.querySelector('[part~="input"]') ?? null;
      await until(() => input() !== null, 10_000, "the plain form");
      await until(() => element.connectionStatus === "connected", 10_000, "connected");
      input()!.value = "typed";
      element.shadowRoot!.querySelector<HTMLButtonElement>('[part~="send"]')!.click();
      const echoed = (): string | undefined => element.shadowRoot!.querySelector('[part~="message"][data-state="echoed"] .text')?.textContent ?? undefined;
      await until(() => echoed() === "typed", 5000, "the echoed entry");
    } finally {
      await executeServerCommand("stop-hostile-server", { id: server.id });
    }
  });
});
