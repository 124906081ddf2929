/** Live figures of one attached echo channel, as `handle.stats()` returns them. */
export interface EchoStats {
  /** Sockets connected to the echo namespace right now. */
  connections: number;
  /** Sockets that have connected since attach. */
  totalConnections: number;
  /** Messages echoed since attach. */
  echoes: number;
}

/** Plain counters: incrementing a number is the only per-message work stats cost. */
export class StatsCounter {
  connections = 0;
  totalConnections = 0;
  echoes = 0;

  snapshot(): EchoStats {
    return { connections: this.connections, totalConnections: this.totalConnections, echoes: this.echoes };
  }
}
