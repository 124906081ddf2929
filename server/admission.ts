import type { IncomingMessage } from "node:http";
import type { ResolvedAttachOptions } from "./attach-options.js";
import { clientAddress } from "./client-address.js";
import { originMatcher } from "./origins.js";
import type { ConnectionCounts, EchoStore } from "./store.js";

interface EngineConnection {
  request: IncomingMessage;
  on(event: "close", listener: () => void): unknown;
}

/**
 * Who may open a connection: engine.io calls `allowRequest` on the handshake of both polling and
 * WebSocket (a WebSocket from any origin would otherwise get in: socket.io's `cors` guards only
 * polling). Checks run in order: shutting down, origin, total connections, connections per address.
 * The counts come from live engine.io connections, registered synchronously after a handshake passes;
 * a shared store adds the other nodes' connections from the same address.
 */
export class Admission implements ConnectionCounts {
  shuttingDown = false;
  private live = 0;
  readonly perAddress = new Map<string, number>();
  private readonly originAllowed: (origin: string | undefined) => boolean;

  constructor(
    private readonly options: ResolvedAttachOptions,
    private readonly store: EchoStore,
  ) {
    this.originAllowed = originMatcher(options.allowedOrigins);
  }

  /** Live engine.io connections on this node. */
  get total(): number {
    return this.live;
  }

  readonly allowRequest = (req: IncomingMessage, callback: (error: string | null, ok: boolean) => void): void => {
    const { maxConnections, maxConnectionsPerAddress } = this.options;
    if (this.shuttingDown) return callback("server shutting down", false);
    if (!this.originAllowed(req.headers.origin)) return callback("origin not allowed", false);
    if (maxConnections > 0 && this.live >= maxConnections) return callback("too many connections", false);
    if (maxConnectionsPerAddress === 0) return callback(null, true);
    const address = this.addressOf(req);
    const decide = (count: number): void =>
      count >= maxConnectionsPerAddress ? callback("too many connections from this address", false) : callback(null, true);
    const local = this.perAddress.get(address) ?? 0;
    if (local >= maxConnectionsPerAddress) return decide(local);
    const everywhere = this.store.connectionsFrom(address, local);
    if (typeof everywhere === "number") decide(everywhere);
    else everywhere.then(decide, () => decide(local)); // a store that fails counts this node only
  };

  /** Counts an engine.io connection until it closes, then runs `onClose` too (one listener for both). */
  track(connection: EngineConnection, onClose: () => void): void {
    const address = this.addressOf(connection.request);
    this.live++;
    const count = (this.perAddress.get(address) ?? 0) + 1;
    this.perAddress.set(address, count);
    this.store.connectionsChanged(address, this);
    // `on`, not `once`: a connection closes once, and `once` costs a wrapper per connection.
    connection.on("close", () => {
      onClose();
      this.live--;
      const left = (this.perAddress.get(address) ?? 1) - 1;
      if (left > 0) this.perAddress.set(address, left);
      else this.perAddress.delete(address);
      this.store.connectionsChanged(address, this);
    });
  }

  private addressOf(req: IncomingMessage): string {
    return clientAddress(req.socket.remoteAddress ?? "unknown", req.headers, this.options.trustProxy);
  }
}
