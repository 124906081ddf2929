import { executeServerCommand } from "@web/test-runner-commands";
import { fixture, html, oneEvent } from "@open-wc/testing";
import "../../element/define.js";
import type { ConnectionStatus, EchoSocketElement } from "../../element/echo-socket.js";

export interface RunningServer {
  id: number;
  url: string;
  port: number;
}

export interface ServerOptions {
  /**
   * echo-socket (default); echo-socket in a child process (stopped with SIGKILL); the built
   * `npm run start:cluster` demo (stopped with SIGTERM); or a hand-written
   * socket.io server: the tutorial's, one that truncates echoes, one that never answers, one that loses first sends.
   */
  kind?: "echo-socket" | "process" | "cluster" | "tutorial" | "truncating" | "silent" | "lossy";
  /** For kind "cluster": how many workers. */
  workers?: number;
  /** A port to listen on; 0 or absent picks a free one. */
  port?: number;
  /** Cut every connection this often, in ms. */
  flapMs?: number;
  /** `attachEchoSocket` options (JSON-safe ones), for echo-socket kinds. */
  options?: Record<string, unknown>;
}

/** What a stopped server reports: connections it cut, and its `stats()` (in-process echo-socket only). */
export interface ServerReport {
  drops: number;
  stats?: { echoes: number; acked: number; deduplicated: number; recovered: number; totalConnections: number };
}

/** Starts a real server in the test runner's Node process (or a child of it). */
export function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  return executeServerCommand("start-echo-server", options) as Promise<RunningServer>;
}

/** Stops it like a crash: connections cut, so clients start reconnecting. */
export async function stopServer(server: RunningServer): Promise<ServerReport> {
  return (await executeServerCommand("stop-echo-server", { id: server.id })) as ServerReport;
}

/** An `<echo-socket>` connected to `url`, resolved once it is connected. */
export async function connectedElement(url: string, attributes = ""): Promise<EchoSocketElement> {
  const container = await fixture<HTMLDivElement>(html`<div></div>`);
  container.innerHTML = `<echo-socket url="${url}" ${attributes}></echo-socket>`; // static, test-controlled markup
  const element = container.querySelector("echo-socket")!;
  await waitForStatus(element, "connected");
  await element.updateComplete; // the DOM follows within a frame
  return element;
}

export async function waitForStatus(element: EchoSocketElement, status: ConnectionStatus, ms = 15_000): Promise<void> {
  await until(() => element.connectionStatus === status, ms, `status ${status}`);
}

/** Which of the two engines the element tests run in (web-test-runner.config.mjs), for messages that say where they differ. */
export const engine: "Firefox" | "Chromium" = navigator.userAgent.includes("Firefox/") ? "Firefox" : "Chromium";

/**
 * Whether this engine reports long tasks (PerformanceObserver entries of type "longtask", 50 ms and up).
 * Chromium does; Firefox ESR does not: "longtask" is missing from its supportedEntryTypes and observing
 * it is a silent no-op, which would read as "longest long task 0 ms". Figures say "not measured" there.
 */
export const longTasksObservable: boolean = PerformanceObserver.supportedEntryTypes.includes("longtask");

/**
 * Watches main-thread long tasks from now on; the function returned stops watching and gives the
 * longest, as words for a reported figure (a figure, not an assertion: the tests assert no timing).
 */
export function watchLongTasks(): () => string {
  if (!longTasksObservable) return () => `longest long task not measured (${engine} reports no "longtask" performance entries)`;
  let longest = 0;
  const observer = new PerformanceObserver((list) => {
    for (const task of list.getEntries()) longest = Math.max(longest, task.duration);
  });
  observer.observe({ type: "longtask" });
  return () => {
    observer.disconnect();
    return `longest long task ${Math.round(longest)} ms`;
  };
}

/** Polls `condition` every 10 ms until it holds; fails after `ms`, naming what it waited for. */
export async function until(condition: () => boolean, ms = 5000, what = "condition"): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export function part<T extends Element = HTMLElement>(element: EchoSocketElement, name: string): T {
  return element.shadowRoot!.querySelector<T>(`[part~="${name}"]`)!;
}

/** The entries as a reader sees them: the message text and its state. */
export function entries(element: EchoSocketElement): Array<{ text: string; state: string }> {
  return Array.from(element.shadowRoot!.querySelectorAll<HTMLElement>('[part~="message"]')).map((entry) => ({
    text: entry.querySelector(".text")!.textContent!,
    state: entry.dataset.state!,
  }));
}

/** Sends `text` through the element's API and waits for its echo event. */
export async function sendAndWait(element: EchoSocketElement, data: unknown): Promise<CustomEvent> {
  const echoed = oneEvent(element, "echo-socket-echo");
  element.send(data);
  return echoed;
}

/** Starts one echo-socket server for the enclosing `describe` and stops it after; read `.url` inside tests. */
export function useServer(): { readonly url: string } {
  let server: RunningServer | undefined;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    if (server) await stopServer(server);
  });
  return {
    get url() {
      if (!server) throw new Error("the server starts in before(); read url inside a test");
      return server.url;
    },
  };
}

/** Runs `test` against a fresh server, stopping the server however the test ends. */
export async function withServer<T>(options: ServerOptions, test: (server: RunningServer) => Promise<T>): Promise<T> {
  const server = await startServer(options);
  try {
    return await test(server);
  } finally {
    await stopServer(server);
  }
}

/** Redis, two echo-socket nodes sharing it, and nginx in front (test/support/scaled-deployment.mjs). */
export function startScaledDeployment(options: Record<string, unknown> = {}): Promise<RunningServer> {
  return executeServerCommand("start-scaled-deployment", { options }) as Promise<RunningServer>;
}

export type ScaledAction = "serving-node" | "kill-node" | "start-node" | "stop-redis" | "start-redis" | "health";

/** Acts on a running scaled deployment: kill or start node `index`, stop or start Redis, read health. */
export function scaled<T = unknown>(deployment: RunningServer, action: ScaledAction, index?: number): Promise<T> {
  return executeServerCommand("scaled-deployment", { id: deployment.id, action, index }) as Promise<T>;
}

/** Records the id of every echo event, to prove none repeats. */
export function recordEchoIds(element: EchoSocketElement): Array<number | undefined> {
  const ids: Array<number | undefined> = [];
  element.addEventListener("echo-socket-echo", (event) => ids.push(event.detail.id));
  return ids;
}

/** True once the element lists exactly `count` entries, every one echoed. */
export const allEchoed = (element: EchoSocketElement, count: number) => (): boolean => {
  const list = entries(element);
  return list.length === count && list.every((entry) => entry.state === "echoed");
};

/** A running server's `/echo/health`, read from Node (health answers no cross-origin reads). */
export function serverHealth<T = Record<string, unknown>>(server: RunningServer): Promise<T> {
  return executeServerCommand("server-health", { id: server.id }) as Promise<T>;
}

/** A page in an iframe with the standalone bundle from `bundleOrigin` and `<echo-socket id="reload" url>`. */
export async function elementInFrame(bundleOrigin: string, url: string) {
  const frame = document.createElement("iframe");
  frame.srcdoc = `<!doctype html><script src="${bundleOrigin}/echo/echo-socket.js"></script><echo-socket id="reload" url="${url}"></echo-socket>`;
  const loaded = () => new Promise((resolve) => frame.addEventListener("load", resolve, { once: true }));
  const firstLoad = loaded();
  document.body.append(frame);
  await firstLoad;
  return {
    frame,
    /** The element on the page as it is now (a reload makes a new one). */
    element: (): EchoSocketElement => frame.contentDocument!.querySelector("echo-socket")!,
    /** Where the element keeps its unsent messages. */
    storageKey: `echo-socket:unsent:${url}/socket.io:ms#reload`,
    async reload(): Promise<void> {
      const reloaded = loaded();
      frame.contentWindow!.location.reload();
      await reloaded;
    },
  };
}
