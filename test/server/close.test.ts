// Alone in its file (vitest gives each file its own worker), so the resource count starts clean.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { io as connectClient } from "socket.io-client";
import { attachEchoSocket } from "../../server/index.js";
import { waitFor } from "./helpers.js";

describe("close()", () => {
  it("disconnects clients, keeps the HTTP server serving, and leaves no open handles", async () => {
    const baseline = countResources();
    const httpServer = createServer((_req, res) => res.end("still here"));
    const handle = attachEchoSocket(httpServer, { logger: false });
    await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
    const sockets = [{}, { transports: ["polling"] }, { transports: ["websocket"] }].map((options) =>
      connectClient(url, { forceNew: true, reconnection: false, ...options }),
    );
    await Promise.all(sockets.map((socket) => waitFor(socket, "connect")));
    expect(handle.stats().connections).toBe(3);

    const disconnected = Promise.all(sockets.map((socket) => waitFor(socket, "disconnect")));
    await handle.close();
    await disconnected;
    expect(handle.stats().connections).toBe(0);
    expect(await handle.close()).toBeUndefined(); // a second close is harmless

    // socket.io's routes are gone; the user's own handler answers everything again.
    expect(await (await fetch(`${url}/socket.io/?EIO=4&transport=polling`)).text()).toBe("still here");
    expect(await (await fetch(`${url}/socket.io/socket.io.js`)).text()).toBe("still here");

    await new Promise((resolve) => httpServer.close(resolve));
    // Sockets finish closing on the next turns of the event loop; give them up to a second.
    const deadline = Date.now() + 1000;
    while (Object.keys(leaked(baseline)).length > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(leaked(baseline)).toEqual({});
  });
});

/** Resource types (sockets, servers, timers) now more numerous than at `baseline`, with how many more. */
function leaked(baseline: Record<string, number>): Record<string, number> {
  const extra: Record<string, number> = {};
  for (const [type, count] of Object.entries(countResources())) {
    if (count > (baseline[type] ?? 0)) extra[type] = count - (baseline[type] ?? 0);
  }
  return extra;
}

function countResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo().sort()) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}
