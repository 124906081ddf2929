// echo-socket as its users get it: `npm pack` of this checkout (built by `npm test` first), installed
// into temporary folders the way each kind of user installs it (README, "Install"), then used by the
// apps in test/consumers/: Express 4 in CommonJS, Express 5 in ESM, a TypeScript `nodenext` project,
// a Vite build of the element, and the standalone file on a page of another origin in Chromium.
// One pack; each folder is installed once (registry or npm's cache) and removed at the end.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
import puppeteer from "puppeteer-core";
import { BUNDLE_NAME, EXTRAS_NAME } from "../../server/http/element-bundle.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "../..");
const FIXTURES = path.join(ROOT, "test/consumers");
const NPM_FLAGS = ["--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"];

let work: string;
let tarball: string;
const folders = new Map<string, Promise<string>>();

/**
 * A folder with the tarball and `packages` installed and `fixtures` (folders of test/consumers/) copied
 * in; made once per name, so tests sharing a folder share its install.
 */
function installed(name: string, packages: string[], fixtures: string[] = []): Promise<string> {
  let folder = folders.get(name);
  if (!folder) {
    folder = (async () => {
      const dir = path.join(work, name);
      await cp(path.join(FIXTURES, "README.md"), path.join(dir, "README.md"));
      await writeFile(path.join(dir, "package.json"), JSON.stringify({ name: `consumer-${name}`, version: "1.0.0", private: true }));
      for (const fixture of fixtures) await cp(path.join(FIXTURES, fixture), path.join(dir, fixture), { recursive: true });
      await run("npm", ["install", tarball, ...packages, ...NPM_FLAGS], { cwd: dir });
      return dir;
    })();
    folders.set(name, folder);
  }
  return folder;
}

/** What a child process printed last on stdout, as JSON. */
// biome-ignore lint/suspicious/noExplicitAny: each caller reads the fields it expects from the child's JSON
async function runJson(command: string, args: string[], cwd: string): Promise<any> {
  const { stdout } = await run(command, args, { cwd });
  return JSON.parse(stdout.trim().split("\n").at(-1)!);
}

const APP_PACKAGES = ["express@5", "socket.io", "socket.io-client", "lit", "@types/express", "@types/node@20"];

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), "echo-socket-consumers-"));
  // --ignore-scripts: `npm test` has built dist/ already, and prepack's rebuild would delete it under other test files.
  const { stdout } = await run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work], { cwd: ROOT });
  const [packed] = JSON.parse(stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  tarball = path.join(work, packed.filename);
  // A dist/ half-written (a build running at the same time) would fail every test below less clearly.
  const files = new Set(packed.files.map((file) => file.path));
  const missing = [
    "dist/server/entry.js",
    "dist/server/entry.cjs",
    "dist/server/index.d.cts",
    "dist/client/entry.js",
    "dist/element/define.js",
    "dist/cli/main.js",
    // Every file the router serves beside the bundle (the extras went missing from the tarball once).
    ...[BUNDLE_NAME, EXTRAS_NAME].flatMap((name) => [`dist/${name}`, `dist/${name}.map`]),
  ].filter((file) => !files.has(file));
  expect(missing, "files missing from the packed dist/: run npm run build (and let no other build run meanwhile)").toEqual([]);
  // Both big installs start now; each test awaits the one it uses.
  void installed("express4", ["express@4", "socket.io", "socket.io-client"], ["express4-cjs"]).catch(() => {});
  void installed("app", APP_PACKAGES, ["express5-esm", "typescript", "vite", "standalone"]).catch(() => {});
}, 120_000);

afterAll(async () => {
  await Promise.allSettled(folders.values());
  if (work) await rm(work, { recursive: true, force: true });
}, 300_000);

// Installs and builds take seconds to minutes on a loaded machine: the timeouts only stop a hang.
describe("the packed package, as its users install it", { timeout: 300_000 }, () => {
  it("installs only what each half needs, and a half without its packages names them and the command", async () => {
    const [serverOnly, bare] = await Promise.all([installed("server-only", ["express"]), installed("bare", [])]);
    const has = async (dir: string, name: string) => (await readdir(path.join(dir, "node_modules"))).includes(name);
    for (const name of ["lit", "socket.io-client"]) expect(await has(serverOnly, name), `server-only install has ${name}`).toBe(false);
    for (const name of ["express", "socket.io", "rate-limiter-flexible", "lit", "socket.io-client"])
      expect(await has(bare, name), `plain install has ${name}`).toBe(false);

    const load = (dir: string, code: string) =>
      run("node", ["--input-type=module", "-e", code], { cwd: dir }).then(
        () => "",
        (error: { stderr: string }) => error.stderr,
      );
    expect(await load(serverOnly, 'await import("echo-socket/server")')).toContain(
      "echo-socket/server needs socket.io, optional peer dependency of echo-socket not installed here: npm install socket.io",
    );
    expect(await load(bare, 'import { createRequire } from "node:module"; createRequire(import.meta.url)("echo-socket/server")')).toContain(
      "echo-socket/server needs socket.io and express, optional peer dependencies of echo-socket not installed here: npm install socket.io express",
    );
    expect(await load(bare, 'await import("echo-socket/client")')).toContain("npm install socket.io-client");
    // The CLI's check needs none of them.
    const { stdout } = await run("node", ["node_modules/echo-socket/dist/cli/main.js", "--version"], { cwd: bare });
    expect(stdout.trim()).toBe("0.1.0");
  });

  it("runs an Express 4 app in CommonJS: require() of the server and the client, an echo and the router", async () => {
    const dir = await installed("express4", ["express@4", "socket.io", "socket.io-client"], ["express4-cjs"]);
    const result = await runJson("node", ["express4-cjs/app.cjs"], dir);
    expect(result).toMatchObject({ state: "echoed", echo: { hello: "from express 4" }, echoes: 1, script: [200, expect.stringMatching(/javascript/)] });
    expect(result.express).toMatch(/^4\./);
  });

  it("runs an Express 5 app in ESM: import of the server and the client, an echo and the router", async () => {
    const dir = await installed("app", APP_PACKAGES);
    const result = await runJson("node", ["express5-esm/app.mjs"], dir);
    expect(result).toMatchObject({ state: "echoed", echo: { hello: "from express 5" }, echoes: 1 });
    expect(result.express).toMatch(/^5\./);
  });

  it("type-checks every entry point's public API in a TypeScript nodenext project (ESM and CommonJS)", async () => {
    const dir = await installed("app", APP_PACKAGES);
    const tsc = path.join(ROOT, "node_modules/typescript/bin/tsc");
    const checked = await run("node", [tsc, "--noEmit", "-p", "typescript/tsconfig.json"], { cwd: dir }).then(
      () => ({ code: 0, output: "" }),
      (error: { code: number; stdout: string }) => ({ code: error.code, output: error.stdout }),
    );
    expect(checked.output).toBe("");
    expect(checked.code).toBe(0);
    // It checked the package's declarations, not something else of the same name.
    const { stdout } = await run("node", [tsc, "--noEmit", "--listFilesOnly", "-p", "typescript/tsconfig.json"], { cwd: dir });
    for (const file of ["server/index.d.ts", "server/index.d.cts", "client/index.d.ts", "element/define.d.ts"])
      expect(stdout).toContain(`node_modules/echo-socket/dist/${file}`);
  });

  it("builds a Vite page importing echo-socket/element: the element and Lit in the bundle, no server code", async () => {
    const dir = await installed("app", APP_PACKAGES);
    const vite = path.join(ROOT, "node_modules/vite/bin/vite.js");
    await run("node", [vite, "build", "vite", "--outDir", "dist", "--emptyOutDir", "--logLevel", "error"], { cwd: dir });
    const assets = path.join(dir, "vite/dist/assets");
    const scripts = (await readdir(assets)).filter((name) => name.endsWith(".js"));
    expect(scripts.length).toBeGreaterThan(0);
    // Every chunk (the element loads some of its code on demand).
    const bundle = (await Promise.all(scripts.map((name) => readFile(path.join(assets, name), "utf8")))).join("\n");
    expect(bundle).toMatch(/customElements\.define\(["'`]echo-socket["'`]/); // the tag it defines
    expect(bundle).toContain("echo-socket-echo"); // the element's events
    expect(bundle).toContain("litElementVersions"); // Lit, resolved from the app's node_modules
    for (const server of ["echoSocketRouter", "attachEchoSocket", "messagesPerSecondPerAddress", "rate-limiter-flexible", "x-powered-by", "prom-client"]) {
      expect(bundle.includes(server), `the bundle contains ${server}`).toBe(false);
    }
  });

  it("echoes from the tarball's standalone file on a page of another origin, through the element's url attribute", async () => {
    const dir = await installed("app", APP_PACKAGES);
    const standalone = await readFile(path.join(dir, "node_modules/echo-socket/dist/echo-socket.js"));
    const echoServer = spawn("node", ["express5-esm/app.mjs", "--serve"], { cwd: dir, stdio: ["ignore", "pipe", "inherit"] });
    let page: Server | undefined;
    let browser: Awaited<ReturnType<typeof puppeteer.launch>> | undefined;
    try {
      const [line] = (await once(createInterface({ input: echoServer.stdout! }), "line")) as [string];
      const echoUrl = (JSON.parse(line) as { url: string }).url;
      const html = (await readFile(path.join(dir, "standalone/index.html"), "utf8")).replaceAll("{{URL}}", echoUrl);
      page = createServer((request, response) => {
        if (request.url === "/echo-socket.js") response.writeHead(200, { "content-type": "text/javascript" }).end(standalone);
        else response.writeHead(200, { "content-type": "text/html" }).end(html);
      });
      await new Promise<void>((resolve) => page!.listen(0, "localhost", resolve));
      const pageUrl = `http://localhost:${(page.address() as AddressInfo).port}/`;

      browser = await puppeteer.launch({
        executablePath: process.env.CHROME_PATH ?? "/usr/bin/chromium",
        headless: true,
        args: ["--no-sandbox", "--disable-gpu"],
        protocolTimeout: 120_000,
      });
      const tab = await browser.newPage();
      await tab.goto(pageUrl);
      const result = await tab.evaluate(async () => {
        await customElements.whenDefined("echo-socket");
        const element = document.querySelector("echo-socket")!;
        const echoed = new Promise<unknown>((resolve) =>
          element.addEventListener("echo-socket-echo", (event) => resolve((event as CustomEvent<{ data: unknown }>).detail.data)),
        );
        element.send("from another origin");
        return { data: await echoed, url: element.getAttribute("url"), origin: location.origin };
      });
      expect(result.data).toBe("from another origin");
      expect(result.url).toBe(echoUrl);
      expect(new URL(echoUrl).origin).not.toBe(result.origin);
    } finally {
      await browser?.close();
      page?.close();
      await stopProcess(echoServer);
    }
  });
});

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  await exited;
}
