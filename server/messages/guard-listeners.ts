/** An engine.io packet on its way out, as `packetCreate` hands it over. */
export interface OutgoingPacket {
  type: string;
  data?: unknown;
}

/** What the shared listeners call on a connection's guard (connection-guard.ts). */
export interface ListenedGuard {
  receive(data: unknown): void;
  closed(): void;
  takeFrames(): void;
  outgoing(packet: OutgoingPacket): void;
}

/**
 * The guard's listeners on engine.io's connection, made once per channel and shared by all its
 * connections (engine.io calls them with the connection as `this`): four closures a connection
 * cost some 330 bytes each of 10,000 idle connections.
 */
export interface GuardListeners<Connection extends object> {
  data(this: Connection, data: unknown): void;
  close(this: Connection): void;
  upgrade(this: Connection): void;
  outgoing(this: Connection, packet: OutgoingPacket): void;
}

/**
 * The shared listeners of one channel, finding each connection's guard with `guardOf`. A guard
 * disposed while another channel's guard wraps its listener leaves a pass-through in `passThrough`.
 */
export function guardListeners<Connection extends object>(
  guardOf: (conn: Connection) => ListenedGuard | undefined,
  passThrough: WeakMap<Connection, (data: unknown) => void>,
): GuardListeners<Connection> {
  return {
    data(data) {
      const guard = guardOf(this);
      if (guard) guard.receive(data);
      else passThrough.get(this)?.call(this, data);
    },
    close() {
      guardOf(this)?.closed();
    },
    upgrade() {
      guardOf(this)?.takeFrames();
    },
    outgoing(packet) {
      guardOf(this)?.outgoing(packet);
    },
  };
}
