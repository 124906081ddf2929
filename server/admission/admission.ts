import type { IncomingMessage } from "node:http";
import type { ResolvedAttachOptions } from "../options/attach-options.js";
import { addressKey, clientAddress } from "./client-address.js";
import { HalfOpenConnections } from "./half-open.js";
import { caught, type ListenerFailed } from "../logging/listener-errors.js";
import { originMatcher } from "./origins.js";
import type { ConnectionCounts, EchoStore } from "../state/store.js";

interface EngineConnection {
  request: IncomingMessage;
  /** The peer's address, which engine.io keeps from the request. */
  readonly remoteAddress?: string;
  on(event: "close", listener: (this: EngineConnection) => void): unknown;
  /** `true`: discard, so a polling client need not come back for its close packet. */
  close(discard: true): unknown;
}

/**
 * Who may open a connection: engine.io calls `allowRequest` on the handshake of both polling and
 * WebSocket (a WebSocket from any origin would otherwise get in: socket.io's `cors` guards only
 * polling). Checks run in order: shutting down, origin, total connections, connections per address.
 * The counts come from live engine.io connections, registered synchronously after a handshake passes;
 * a shared store adds the other nodes' connections from the same address. Addresses are counted by
 * `addressKey` (IPv6 per `ipv6Subnet` prefix). A connection that has not completed the socket.io
 * handshake is closed after `handshakeTimeoutMs`, and at a cap (total, or the address's) the oldest
 * such one makes room for a new request: half-open connections cannot lock visitors out.
 */
export class Admission implements ConnectionCounts {
  shuttingDown = false;
  private live = 0;
  /** The engine.io connections counted and not yet closed (engine.io keeps its own list protected): closed and waited on at close. */
  readonly open = new Set<EngineConnection>();
  readonly perAddress = new Map<string, number>();
  private readonly originAllowed: (origin: string | undefined) => boolean;
  private readonly halfOpen: HalfOpenConnections<EngineConnection>;
  /** Connections whose address key `remoteKey` would not give again (see `track`). */
  private readonly forwarded = new Map<EngineConnection, string>();

  constructor(
    private readonly options: ResolvedAttachOptions,
    private readonly store: EchoStore,
    private readonly failed: ListenerFailed,
  ) {
    this.originAllowed = originMatcher(options.allowedOrigins);
    this.halfOpen = new HalfOpenConnections(
      options.handshakeTimeoutMs,
      caught("echo-socket's handshake timeout", failed, (connection: EngineConnection) => void connection.close(true)),
    );
  }

  /** Live engine.io connections on this node. */
  get total(): number {
    return this.live;
  }

  readonly allowRequest = (req: IncomingMessage, callback: (error: string | null, ok: boolean) => void): void => {
    if (this.shuttingDown) return callback("server shutting down", false);
    if (!this.originAllowed(req.headers.origin)) return callback("origin not allowed", false);
    const { maxConnectionsPerAddress } = this.options;
    const address = this.addressOf(req);
    if (maxConnectionsPerAddress === 0) return this.decide(address, 0, callback);
    const local = this.perAddress.get(address) ?? 0;
    if (local >= maxConnectionsPerAddress) return this.decide(address, local, callback);
    const everywhere = this.store.connectionsFrom(address, local);
    if (typeof everywhere === "number") this.decide(address, everywhere, callback);
    else
      everywhere.then(
        (count) => this.decide(address, count, callback),
        () => this.decide(address, local, callback),
      ); // a failing store: this node's count
  };

  /**
   * Admits or refuses a request from `address`, which has `fromAddress` connections. At a cap, the
   * oldest half-open connection (the address's own, for its cap: its share stays the same, and others
   * behind the same NAT, whose CONNECT follows at once, get in) makes room; only a request that is admitted closes one.
   */
  private decide(address: string, fromAddress: number, callback: (error: string | null, ok: boolean) => void): void {
    const { maxConnections, maxConnectionsPerAddress } = this.options;
    const own = maxConnectionsPerAddress > 0 && fromAddress >= maxConnectionsPerAddress ? (this.halfOpen.oldest(address) ?? null) : undefined;
    if (own === null) return callback("too many connections from this address", false);
    const overTotal = maxConnections > 0 && this.live - (own ? 1 : 0) >= maxConnections;
    const other = overTotal ? (this.halfOpen.oldest(undefined, own) ?? null) : undefined;
    if (other === null) return callback("too many connections", false);
    own?.close(true); // closes at once (discarded): the counts drop
    other?.close(true);
    callback(null, true);
  }

  /**
   * Counts an engine.io connection, and holds it in `open`, until it closes. One `close` listener for
   * every connection (engine.io calls it with the connection as `this`), not a closure per
   * connection: per-connection memory is measured (issue 17).
   */
  track(connection: EngineConnection): void {
    this.open.add(connection);
    const address = this.addressOf(connection.request);
    this.live++;
    const count = (this.perAddress.get(address) ?? 0) + 1;
    this.perAddress.set(address, count);
    this.store.connectionsChanged(address, this);
    this.halfOpen.add(connection, address);
    // The request may be let go before the connection closes: the address is kept only when the
    // connection's own `remoteAddress` would not give it again (a forwarded address, with `trustProxy`).
    if (address !== this.remoteKey(connection)) this.forwarded.set(connection, address);
    connection.on("close", this.onClosed);
  }

  private readonly onClosed = ((admission: Admission) =>
    function onClosed(this: EngineConnection): void {
      try {
        admission.closed(this);
      } catch (error) {
        admission.failed("echo-socket's connection count", error);
      }
    })(this);

  private closed(connection: EngineConnection): void {
    this.open.delete(connection);
    const address = this.forwarded.get(connection) ?? this.remoteKey(connection);
    this.forwarded.delete(connection);
    this.halfOpen.delete(connection);
    this.live--;
    const left = (this.perAddress.get(address) ?? 1) - 1;
    if (left > 0) this.perAddress.set(address, left);
    else this.perAddress.delete(address);
    this.store.connectionsChanged(address, this);
  }

  /** The connection completed the socket.io handshake: it holds its slot for as long as it lives. */
  established(connection: unknown): void {
    this.halfOpen.delete(connection as EngineConnection);
  }

  /** Stops the handshake timer. */
  dispose(): void {
    this.halfOpen.dispose();
  }

  /** The address key of the connection's peer, without forwarded headers (engine.io keeps `remoteAddress`). */
  private remoteKey(connection: EngineConnection): string {
    return addressKey(connection.remoteAddress ?? "unknown", this.options.ipv6Subnet);
  }

  private addressOf(req: IncomingMessage): string {
    return addressKey(clientAddress(req.socket.remoteAddress ?? "unknown", req.headers, this.options.trustProxy), this.options.ipv6Subnet);
  }
}
