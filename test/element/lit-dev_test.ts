// The element under Lit's development build, which warns about inefficient or wrong use (an update
// scheduled after one completed, class fields shadowing properties, ...): none may be logged.
import { expect } from "@open-wc/testing";
import { until, useServer } from "./helpers.js";

/**
 * The URLs this test server gives Lit's production modules (the element's imports, as rewritten by
 * wtr's node-resolve with the "production" condition), each mapped to its development build.
 */
async function litDevelopmentImportMap(): Promise<Record<string, string>> {
  const imports: Record<string, string> = {};
  const pending = ["/element/echo-socket.ts"];
  const seen = new Set<string>();
  while (pending.length > 0) {
    const url = pending.pop()!;
    if (seen.has(url)) continue;
    seen.add(url);
    const source = await (await fetch(url)).text();
    for (const [, found] of source.matchAll(/(?:from|import)\s*["']([^"']+)["']/g)) {
      const resolved = new URL(found!, new URL(url, location.href)).pathname;
      const lit = /^(.*\/node_modules\/(?:lit|lit-html|lit-element|@lit\/reactive-element))\/(?!development\/)(.+\.js)$/.exec(resolved);
      if (!lit) continue;
      imports[resolved] = `${lit[1]}/development/${lit[2]}`;
      pending.push(resolved);
    }
  }
  return imports;
}

describe("under Lit's development build", () => {
  const server = useServer();

  it("connects, sends, echoes and clears without a single warning", async () => {
    const imports = await litDevelopmentImportMap();
    expect(Object.keys(imports).length, "Lit modules found").to.be.greaterThan(2);
    const frame = document.createElement("iframe");
    // Lit's one notice that it runs in development mode is marked as already issued: every other warning counts.
    frame.srcdoc = `<!doctype html><meta charset="utf-8">
      <script type="importmap">${JSON.stringify({ imports })}</script>
      <script>
        window.warnings = [];
        const warn = console.warn;
        console.warn = (...args) => { window.warnings.push(args.join(" ")); warn.apply(console, args); };
        globalThis.litIssuedWarnings = new Set(["dev-mode"]);
      </script>
      <script type="module">import "/element/define.ts";</script>
      <echo-socket url="${server.url}" composer timestamps></echo-socket>`;
    const loaded = new Promise((resolve) => frame.addEventListener("load", resolve, { once: true }));
    document.body.append(frame);
    await loaded;
    const view = frame.contentWindow as Window & { warnings: string[]; litIssuedWarnings?: Set<string> };
    await until(() => view.customElements.get("echo-socket") !== undefined, 10_000, "the element to be defined");
    const element = frame.contentDocument!.querySelector("echo-socket")!;
    await until(() => element.connectionStatus === "connected", 10_000, "connected");
    element.send("in development mode");
    await until(() => element.shadowRoot!.querySelector('[part~="message"][data-state="echoed"]') !== null, 5000, "the echo");
    element.clear();
    await element.updateComplete;
    element.removeAttribute("composer");
    await element.updateComplete;
    // It is the development build, with its warnings on (only that build has `enabledWarnings`).
    const elementClass = view.customElements.get("echo-socket") as unknown as { enabledWarnings?: string[] };
    expect(elementClass.enabledWarnings).to.include("change-in-update");
    expect(view.warnings).to.deep.equal([]);
    frame.remove();
  });
});
