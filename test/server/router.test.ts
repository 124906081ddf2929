import { get } from "node:http";
import { afterEach, describe, expect, it, vi } from "vitest";
import { echoSocketRouter } from "../../server/index.js";
import { startServer, waitFor, type TestServer } from "./helpers.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("echoSocketRouter()", () => {
  it("serves health as JSON with the handle's live figures", async () => {
    server = await startServer();
    const first = await fetch(`${server.url}/echo/health`);
    expect(first.status).toBe(200);
    expect(first.headers.get("content-type")).toMatch(/^application\/json/);
    expect(first.headers.get("cache-control")).toBe("no-store");
    expect(first.headers.get("x-content-type-options")).toBe("nosniff");
    expect(first.headers.get("content-security-policy")).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(first.headers.get("x-powered-by")).toBe(null);
    const body = await first.json();
    expect(body).toEqual({ status: "ok", uptime: expect.any(Number), nodes: 1, store: "memory", connections: 0, echoes: 0 });

    const client = server.connect();
    const echoed = waitFor(client, "echo");
    client.emit("ms", "count me");
    await echoed;
    expect(await (await fetch(`${server.url}/echo/health`)).json()).toMatchObject({ connections: 1, echoes: 1 });
  });

  it.each([
    ["echo-socket's recovery adapter", {}],
    ["socket.io's in-memory adapter", { recoveryWindowMs: 0 }],
  ])("answers health on one node with %s without asking other nodes (which that adapter only warns about)", async (_name, options) => {
    server = await startServer(options);
    const warn = vi.spyOn(console, "warn");
    try {
      expect(await (await fetch(`${server.url}/echo/health`)).json()).toMatchObject({ status: "ok", nodes: 1 });
      expect(await server.handle.clusterStats()).toMatchObject({ nodes: 1, partial: false });
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });

  it("lets routes it does not serve fall through to the app", async () => {
    server = await startServer();
    server.app.get("/echo/other", (_req, res) => void res.send("the app's own route"));
    server.app.use((_req, res) => void res.status(404).send("app 404"));
    expect(await (await fetch(`${server.url}/echo/other`)).text()).toBe("the app's own route");
    const missing = await fetch(`${server.url}/echo/nothing-here`);
    expect([missing.status, await missing.text()]).toEqual([404, "app 404"]);
  });

  it.each([["/echo/health"], ["/echo/echo-socket.js"], ["/echo/echo-socket.js.map"]])(
    "answers OPTIONS on %s itself (204, Allow) and refuses other methods (405), without X-Powered-By",
    async (path) => {
      server = await startServer();
      server.app.use((_req, res) => void res.status(404).send("app 404"));
      const options = await fetch(`${server.url}${path}`, { method: "OPTIONS" });
      expect([options.status, options.headers.get("allow"), options.headers.get("x-powered-by")]).toEqual([204, "GET, HEAD", null]);
      for (const method of ["POST", "PUT", "DELETE", "PATCH"]) {
        const other = await fetch(`${server.url}${path}`, { method });
        expect([method, other.status, other.headers.get("allow"), other.headers.get("x-powered-by")]).toEqual([method, 405, "GET, HEAD", null]);
      }
      expect((await fetch(`${server.url}${path}`, { method: "HEAD" })).status).toBe(200);
    },
  );
});

describe("the element bundle route", () => {
  it("applies the handle's allowedOrigins to CORS, or the router's own", async () => {
    server = await startServer({ allowedOrigins: ["https://good.example"] });
    // Each body is read: one left unread kept its connection, and the server's close(), waiting for seconds.
    const get = async (path: string, origin: string) => {
      const response = await fetch(`${server!.url}${path}`, { headers: { origin } });
      await response.arrayBuffer();
      return response.headers;
    };
    const good = await get("/echo/echo-socket.js", "https://good.example");
    expect(good.get("access-control-allow-origin")).toBe("https://good.example");
    expect(good.get("vary")).toMatch(/Origin/);
    expect((await get("/echo/echo-socket.js", "https://evil.example")).get("access-control-allow-origin")).toBe(null);

    server.app.use("/open", echoSocketRouter({ handle: server.handle, allowedOrigins: "*" }));
    expect((await get("/open/echo-socket.js", "https://evil.example")).get("access-control-allow-origin")).toBe("*");
  });

  it("serves /echo-socket.js as cacheable, cross-origin JavaScript with an ETag", async () => {
    server = await startServer();
    const response = await fetch(`${server.url}/echo/echo-socket.js`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("cache-control")).toBe("public, max-age=300");
    const etag = response.headers.get("etag");
    expect(etag).toBeTruthy();
    expect(await response.text()).toContain("echo-socket");

    // Node's fetch adds `Cache-Control: no-cache` to conditional requests, which rules out a 304; a browser's revalidation does not.
    expect(await statusOf(`${server.url}/echo/echo-socket.js`, { "if-none-match": etag! })).toBe(304);
  });

  it("serves the source map as JSON", async () => {
    server = await startServer();
    const response = await fetch(`${server.url}/echo/echo-socket.js.map`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect((await response.json()).version).toBe(3);
  });
});

function statusOf(url: string, headers: Record<string, string>): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    get(url, { headers }, (response) => {
      response.resume();
      resolve(response.statusCode);
    }).on("error", reject);
  });
}
