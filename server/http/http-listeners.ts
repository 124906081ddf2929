import type { Server as HttpServer } from "node:http";

type Listener = (...args: unknown[]) => void;
const EVENTS = ["request", "upgrade", "close", "listening"] as const;

/**
 * Runs `attach` (which adds listeners to `server` and may wrap its `request` listeners, as
 * engine.io and socket.io do) and returns a function that puts `server`'s listeners back as they
 * were, keeping any the user added since. This lets `close()` leave the user's HTTP server serving.
 */
export function trackListeners(server: HttpServer, attach: () => void): () => void {
  const before = new Map(EVENTS.map((event) => [event, server.listeners(event) as Listener[]]));
  attach();
  const added = new Map(EVENTS.map((event) => [event, (server.listeners(event) as Listener[]).filter((l) => !before.get(event)!.includes(l))]));
  return () => {
    for (const event of EVENTS) {
      for (const listener of added.get(event)!) server.off(event, listener);
      const current = server.listeners(event);
      const removed = before.get(event)!.filter((l) => !current.includes(l));
      // Put the wrapped listeners back in front, in their original order.
      for (const listener of removed.reverse()) server.prependListener(event, listener);
    }
  };
}
