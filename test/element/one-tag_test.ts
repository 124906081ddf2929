// One script tag and a bare element, whatever path and events the server was given: the element the
// router serves reads the server's configuration (GET config.json beside the bundle) before connecting.
import { expect } from "@open-wc/testing";
import type { EchoSocketElement } from "../../element/echo-socket.js";
import { startServer, stopServer, until, type RunningServer, type ServerOptions } from "./helpers.js";

/** A plain page on another origin (the test page's): `body` after the script tag. */
async function plainPage(scriptSrc: string, body: string): Promise<EchoSocketElement> {
  const frame = document.createElement("iframe");
  frame.srcdoc = `<!doctype html><meta charset="utf-8"><script src="${scriptSrc}"></script>${body}`;
  const loaded = new Promise((resolve) => frame.addEventListener("load", resolve, { once: true }));
  document.body.append(frame);
  await loaded;
  const view = frame.contentWindow!;
  await until(() => view.customElements.get("echo-socket") !== undefined, 5000, "the element to be defined");
  return frame.contentDocument!.querySelector("echo-socket")!;
}

describe("one tag, whatever the server's configuration", () => {
  let server: RunningServer;
  before(async () => {
    // attachEchoSocket(server, { path: "/rt/socket.io", receiveEvent: "say", replyEvent: "said" }), router at /rt/echo.
    const options = { options: { path: "/rt/socket.io", receiveEvent: "say", replyEvent: "said" }, routerPath: "/rt/echo" };
    server = await startServer(options as ServerOptions);
  });
  after(async () => {
    document.querySelectorAll("iframe").forEach((frame) => frame.remove());
    await stopServer(server);
  });

  it("serves its path and events as config.json, readable from any origin", async () => {
    expect(new URL(server.url).origin).not.to.equal(location.origin);
    // A cross-origin fetch reads the body only when the answer allows this origin (CORS).
    const response = await fetch(`${server.url}/rt/echo/config.json`);
    expect(response.headers.get("cache-control")).to.equal("no-cache");
    expect(await response.json()).to.deep.equal({ path: "/rt/socket.io", namespace: "/", sendEvent: "say", echoEvent: "said" });
  });

  it("a bare <echo-socket> from /rt/echo/echo-socket.js connects and echoes", async () => {
    const element = await plainPage(`${server.url}/rt/echo/echo-socket.js`, "<echo-socket></echo-socket>");
    await until(() => element.connectionStatus === "connected", 10_000, "connected");
    element.send("one tag");
    const echoed = (): string | undefined => element.shadowRoot!.querySelector('[part~="message"][data-state="echoed"] .text')?.textContent ?? undefined;
    await until(() => echoed() === "one tag", 5000, "the echoed entry");
  });

  it("attributes still win: an element given another path does not use the router's", async () => {
    const element = await plainPage(`${server.url}/rt/echo/echo-socket.js`, '<echo-socket path="/socket.io"></echo-socket>');
    await until(() => element.diagnosis !== undefined, 10_000, "a diagnosis");
    expect(element.connectionStatus).to.equal("reconnecting");
    expect(element.diagnosis!.target).to.equal(`${server.url}/socket.io`);
  });
});
