// Two tabs of one page, offline at once: neither may overwrite the other's unsent messages, and a
// later page sends each of them exactly once. Pages are same-origin iframes running the standalone
// bundle, so they share localStorage (and Web Locks) as tabs do, and each goes away as a tab closes.
import { executeServerCommand } from "@web/test-runner-commands";
import { expect } from "@open-wc/testing";

interface RunningServer {
  id: number;
  url: string;
  port: number;
}

interface ServerReport {
  stats?: { echoes: number; deduplicated: number };
}

const startServer = (options: Record<string, unknown> = {}) => executeServerCommand("start-echo-server", options) as Promise<RunningServer>;
const stopServer = (server: RunningServer) => executeServerCommand("stop-echo-server", { id: server.id }) as Promise<ServerReport>;

async function until(condition: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

interface Tab {
  frame: HTMLIFrameElement;
  element: HTMLElement & { send(data: unknown): boolean; connectionStatus: string };
  /** Every `echo-socket-echo` this tab's element fired: the echoed data. */
  echoes: unknown[];
  /** Entry texts and states as the reader sees them. */
  entries(): Array<{ text: string; state: string }>;
}

/** A "tab": a same-origin page with the bundle from `bundleOrigin` and `<echo-socket id="tabs" url>`. */
async function openTab(bundleOrigin: string, url: string): Promise<Tab> {
  const frame = document.createElement("iframe");
  frame.srcdoc = `<!doctype html><script src="${bundleOrigin}/echo/echo-socket.js"></script><echo-socket id="tabs" url="${url}"></echo-socket>`;
  const loaded = new Promise((resolve) => frame.addEventListener("load", resolve, { once: true }));
  document.body.append(frame);
  await loaded;
  const view = frame.contentWindow!;
  await until(() => view.customElements.get("echo-socket") !== undefined, 5000, "the element defined");
  const element = frame.contentDocument!.querySelector("echo-socket") as unknown as Tab["element"];
  const echoes: unknown[] = [];
  element.addEventListener("echo-socket-echo", (event) => echoes.push((event as CustomEvent).detail.data));
  return {
    frame,
    element,
    echoes,
    entries: () =>
      Array.from(element.shadowRoot?.querySelectorAll<HTMLElement>('[part~="message"]') ?? []).map((entry) => ({
        text: entry.querySelector(".text")!.textContent!,
        state: entry.dataset.state!,
      })),
  };
}

/** Every message text stored for the tabs' element, under any key it may use. */
function storedTexts(prefix: string): string[] {
  const texts: string[] = [];
  for (let i = 0; i < localStorage.length; i++) {
    const key = localStorage.key(i)!;
    if (!key.startsWith(prefix)) continue;
    try {
      const list = JSON.parse(localStorage.getItem(key) ?? "[]") as Array<{ data: unknown }>;
      for (const message of list) texts.push(String(message.data));
    } catch {
      // not ours
    }
  }
  return texts.sort();
}

describe("unsent messages of two tabs at once", () => {
  afterEach(() => localStorage.clear());

  it("keeps both tabs' unsent messages, and a later page sends all five exactly once", async function () {
    this.timeout(60_000);
    const scriptServer = await startServer();
    const dead = await startServer();
    await stopServer(dead); // nothing listens on this port now: both tabs are offline
    const url = `http://127.0.0.1:${dead.port}`;
    const prefix = `echo-socket:unsent:${url}/socket.io:ms#tabs`;
    const frames: HTMLIFrameElement[] = [];
    let server: RunningServer | undefined;
    try {
      // Both tabs are open before either stores anything, as two tabs of one page are.
      const a = await openTab(scriptServer.url, url);
      const b = await openTab(scriptServer.url, url);
      frames.push(a.frame, b.frame);
      await until(() => a.element.connectionStatus === "reconnecting" && b.element.connectionStatus === "reconnecting", 10_000, "both tabs offline");
      for (const text of ["a1", "a2", "a3"]) expect(a.element.send(text)).to.equal(true);
      await until(() => storedTexts(prefix).includes("a3"), 5000, "tab A's messages stored");
      for (const text of ["b1", "b2"]) expect(b.element.send(text)).to.equal(true);
      await until(() => storedTexts(prefix).includes("b2"), 5000, "tab B's messages stored");
      expect(storedTexts(prefix), "no tab overwrote the other's messages").to.deep.equal(["a1", "a2", "a3", "b1", "b2"]);

      // Both tabs close, then the server comes up and a new page opens.
      a.frame.remove();
      b.frame.remove();
      server = await startServer({ port: dead.port });
      const c = await openTab(scriptServer.url, url);
      frames.push(c.frame);
      await until(() => c.entries().length >= 5 && c.entries().every((entry) => entry.state === "echoed"), 20_000, "five echoed entries");
      expect(
        c
          .entries()
          .map((entry) => entry.text)
          .sort(),
      ).to.deep.equal(["a1", "a2", "a3", "b1", "b2"]);
      expect([...c.echoes].sort(), "one echo event each").to.deep.equal(["a1", "a2", "a3", "b1", "b2"]);
      await until(() => storedTexts(prefix).length === 0, 5000, "storage emptied");
      const report = await stopServer(server);
      server = undefined;
      expect(report.stats!.echoes, "each sent once").to.equal(5);
      expect(report.stats!.deduplicated, "none sent twice").to.equal(0);
    } finally {
      frames.forEach((frame) => frame.remove());
      if (server) await stopServer(server);
      await stopServer(scriptServer);
    }
  });
});
