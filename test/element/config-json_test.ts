// The router's config.json is a suggestion: a server whose config.json never answers, or answers
// nonsense, must not keep the elements from connecting with their attributes and defaults.
import { executeServerCommand } from "@web/test-runner-commands";
import { expect } from "@open-wc/testing";
import type { EchoSocketElement } from "../../element/echo-socket.js";
import { until } from "./helpers.js";

interface ConfigServer {
  id: number;
  url: string;
}

const startConfigServer = async (config?: string) => (await executeServerCommand("start-hostile-server", { kind: "config", config })) as ConfigServer;
const stopConfigServer = async (server: ConfigServer) =>
  (await executeServerCommand("stop-hostile-server", { id: server.id })) as { sends: number; echoes: number; configRequests: number };

/** A bare element on a plain page (an iframe) loading the bundle from `server`'s router path. */
async function bareElement(server: ConfigServer): Promise<EchoSocketElement> {
  const frame = document.createElement("iframe");
  frame.srcdoc = `<!doctype html><meta charset="utf-8"><script src="${server.url}/echo/echo-socket.js"></script><echo-socket></echo-socket>`;
  const loaded = new Promise((resolve) => frame.addEventListener("load", resolve, { once: true }));
  document.body.append(frame);
  await loaded;
  await until(() => frame.contentWindow!.customElements.get("echo-socket") !== undefined, 5000, "the element to be defined");
  return frame.contentDocument!.querySelector("echo-socket")!;
}

async function echoes(element: EchoSocketElement, text: string): Promise<void> {
  element.send(text);
  const echoed = (): string | undefined => element.shadowRoot!.querySelector('[part~="message"][data-state="echoed"] .text')?.textContent ?? undefined;
  await until(() => echoed() === text, 5000, "the echoed entry");
}

describe("the router's config.json", () => {
  afterEach(() => document.querySelectorAll("iframe").forEach((frame) => frame.remove()));

  it("that never answers: the element connects with its defaults after the 3 s timeout", async function () {
    this.timeout(20_000);
    const server = await startConfigServer();
    try {
      const started = performance.now();
      const element = await bareElement(server);
      await until(() => element.connectionStatus === "connected", 10_000, "connected despite the hanging config.json");
      expect(performance.now() - started).to.be.at.least(2500); // it did wait for config.json, up to the timeout
      await echoes(element, "no config");
    } finally {
      const { configRequests, sends } = await stopConfigServer(server);
      expect(configRequests).to.equal(1);
      expect(sends).to.equal(1);
    }
  });

  for (const [what, config] of [
    ["a reserved echo event", '{"path":"/socket.io","sendEvent":"ms","echoEvent":"connect"}'],
    ["a path that is not one", '{"path":"nowhere","sendEvent":"ms","echoEvent":"echo"}'],
    ["a number for an event", '{"sendEvent":42}'],
    ["not an object", "false"],
    ["not JSON", "{"],
  ]) {
    it(`answering ${what}: the element connects with its defaults`, async function () {
      this.timeout(15_000);
      const server = await startConfigServer(config);
      try {
        const element = await bareElement(server);
        await until(() => element.connectionStatus === "connected", 10_000, "connected");
        await echoes(element, what!);
      } finally {
        await stopConfigServer(server);
      }
    });
  }
});
