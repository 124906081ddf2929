import { afterEach, describe, expect, it } from "vitest";
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
    const body = await first.json();
    expect(body).toEqual({ status: "ok", uptime: expect.any(Number), connections: 0, echoes: 0 });

    const client = server.connect();
    const echoed = waitFor(client, "echo");
    client.emit("ms", "count me");
    await echoed;
    expect(await (await fetch(`${server.url}/echo/health`)).json()).toMatchObject({ connections: 1, echoes: 1 });
  });

  it("lets routes it does not serve fall through to the app", async () => {
    server = await startServer();
    server.app.get("/echo/other", (_req, res) => void res.send("the app's own route"));
    server.app.use((_req, res) => void res.status(404).send("app 404"));
    expect(await (await fetch(`${server.url}/echo/other`)).text()).toBe("the app's own route");
    const missing = await fetch(`${server.url}/echo/nothing-here`);
    expect([missing.status, await missing.text()]).toEqual([404, "app 404"]);
  });
});
