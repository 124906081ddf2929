// `npm start` and `npm run start:cluster` as a user runs them: the built demo in its own process.
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import { io } from "socket.io-client";
import { running, spawnNode } from "../support/spawn-node.mjs";
import { waitFor } from "./helpers.js";

let demo: ChildProcess | undefined;
afterEach(() => {
  if (demo && running(demo)) demo.kill("SIGKILL");
});

async function startDemo(script = "dist/demo/server.js", env: Record<string, string> = {}): Promise<string> {
  const started = await spawnNode(script, { env: { PORT: "0", HOST: "127.0.0.1", ...env }, ready: /open (http:\/\/\S+)\// });
  demo = started.child;
  return started.match[1]!;
}

describe("the demo (npm start)", () => {
  it("serves the page with the element, the bundle and an echo, then stops cleanly on SIGTERM", async () => {
    const url = await startDemo();
    const page = await (await fetch(`${url}/`)).text();
    expect(page).toContain('<script src="/echo/echo-socket.js"></script>');
    expect(page).toContain("<echo-socket></echo-socket>");
    expect(page).toContain(`&#60;script src=&#34;${url}/echo/echo-socket.js&#34;&#62;`);
    expect((await fetch(`${url}/echo/echo-socket.js`)).status).toBe(200);

    const client = io(url, { path: "/socket.io", forceNew: true, reconnection: false });
    const echoed = waitFor(client, "echo");
    client.emit("ms", "demo");
    expect((await echoed)[0]).toEqual("demo");
    client.disconnect();

    demo!.kill("SIGTERM");
    const [code] = await once(demo!, "exit");
    expect(code).toBe(0);
  });
});

describe("the cluster demo (npm run start:cluster)", () => {
  it("serves the page and echoes on every worker, over polling and WebSocket, with cluster-wide health", async () => {
    const url = await startDemo("dist/demo/cluster.js", { WORKERS: "2" });
    expect(await (await fetch(`${url}/`)).text()).toContain("<echo-socket></echo-socket>");
    expect((await fetch(`${url}/echo/echo-socket.js`)).status).toBe(200);
    expect((await fetch(`${url}/socket.io/socket.io.js`)).status).toBe(200); // what the tutorial's page loads

    // The tutorial's client, as written there, over each transport; round-robin spreads them over both workers.
    const clients = (["polling", "websocket"] as const).flatMap((transport) =>
      Array.from({ length: 4 }, () => io(url, { path: "/socket.io", forceNew: true, reconnection: false, transports: [transport] })),
    );
    try {
      await Promise.all(clients.map((client) => waitFor(client, "connect")));
      // Several round trips each: a long-polling session whose requests reached another worker would fail.
      for (let round = 0; round < 3; round++) {
        const echoes = await Promise.all(
          clients.map((client, i) => {
            const echoed = waitFor<[string]>(client, "echo");
            client.emit("ms", `${client.io.engine.transport.name} ${i} round ${round}`);
            return echoed;
          }),
        );
        expect(echoes.map(([text]) => text)).toEqual(clients.map((client, i) => `${client.io.engine.transport.name} ${i} round ${round}`));
      }
      expect(clients.filter((client) => client.io.engine.transport.name === "polling")).toHaveLength(4);
      const health = await (await fetch(`${url}/echo/health`)).json();
      expect(health).toMatchObject({ status: "ok", nodes: 2, connections: 8, echoes: 24, store: "memory" });
    } finally {
      for (const client of clients) client.disconnect();
    }

    demo!.kill("SIGTERM");
    const [code] = await once(demo!, "exit");
    expect(code).toBe(0);
  });
});
