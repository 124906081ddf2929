import type { EventEmitter } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import { io } from "socket.io-client";
import { startServer, waitFor, type TestServer } from "./helpers.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("transports", () => {
  it.each([["polling"], ["websocket"]] as const)("echoes over %s alone", async (transport) => {
    server = await startServer();
    const client = server.connect({ transports: [transport], upgrade: false });
    await waitFor(client, "connect");
    expect(client.io.engine.transport.name).toBe(transport);
    const echoed = waitFor(client, "echo");
    client.emit("ms", `over ${transport}`);
    expect((await echoed)[0]).toEqual(`over ${transport}`);
  });

  it("upgrades from polling to websocket and keeps echoing", async () => {
    server = await startServer();
    const client = server.connect({ transports: ["polling", "websocket"] });
    // The engine exists as soon as the client does: listen before any I/O happens.
    const upgraded = waitFor(client.io.engine as unknown as EventEmitter, "upgrade");
    expect(client.io.engine.transport.name).toBe("polling");
    const before = waitFor(client, "echo");
    client.emit("ms", "sent while polling");
    expect((await before)[0]).toEqual("sent while polling");
    await upgraded;
    expect(client.io.engine.transport.name).toBe("websocket");
    const after = waitFor(client, "echo");
    client.emit("ms", "after upgrade");
    expect((await after)[0]).toEqual("after upgrade");
  });
});

describe("the tutorial's page, unchanged", () => {
  it("connects with io.connect(url, {path}), emits ms and hears echo", async () => {
    server = await startServer();
    // Exactly the tutorial's calls; reconnection stays on as in the tutorial.
    // `io.connect` is an alias socket.io-client keeps for pages like the tutorial's, absent from its types.
    const { connect } = io as typeof io & { connect: typeof io };
    const socket = connect(server.url, { path: "/socket.io", forceNew: true });
    try {
      const echoed = waitFor(socket, "echo");
      socket.emit("ms", "받은메시지 테스트");
      expect((await echoed)[0]).toEqual("받은메시지 테스트");
    } finally {
      socket.disconnect();
    }
  });

  it("gets the client script at /socket.io/socket.io.js", async () => {
    server = await startServer();
    const response = await fetch(`${server.url}/socket.io/socket.io.js`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/javascript/);
    const body = await response.text();
    expect(body).toContain("Socket.IO v4");
    expect(body.length).toBeGreaterThan(10_000);
  });
});
