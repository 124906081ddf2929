/** A clock and a timer, injectable so the expiry can be tested without waiting. */
export interface Timing {
  now(): number;
  /** Calls `fn` after `ms`; returns a function that cancels it. The timer must not hold the process open. */
  after(ms: number, fn: () => void): () => void;
}

const realTiming: Timing = {
  now: () => performance.now(),
  after(ms, fn) {
    const timer = setTimeout(fn, ms).unref();
    return () => clearTimeout(timer);
  },
};

/**
 * Connections that have not finished the socket.io handshake, oldest first, overall and per client
 * address. Each is handed to `expire` once `timeoutMs` passed without the handshake completing. One
 * timer for all of them: a Map keeps insertion order, which with one timeout for all is also expiry order.
 */
export class HalfOpenConnections<C> {
  private readonly opened = new Map<C, { at: number; address: string }>();
  private readonly byAddress = new Map<string, Set<C>>();
  private cancel: (() => void) | undefined;

  constructor(
    private readonly timeoutMs: number,
    private readonly expire: (connection: C) => void,
    private readonly timing: Timing = realTiming,
  ) {}

  get size(): number {
    return this.opened.size;
  }

  add(connection: C, address: string): void {
    this.opened.set(connection, { at: this.timing.now(), address });
    let fromAddress = this.byAddress.get(address);
    if (!fromAddress) this.byAddress.set(address, (fromAddress = new Set()));
    fromAddress.add(connection);
    if (!this.cancel) this.schedule();
  }

  /** The handshake completed, or the connection closed. */
  delete(connection: C): void {
    const entry = this.opened.get(connection);
    if (!entry) return;
    this.opened.delete(connection);
    const fromAddress = this.byAddress.get(entry.address)!;
    fromAddress.delete(connection);
    if (fromAddress.size === 0) this.byAddress.delete(entry.address);
  }

  /** The half-open connection that has waited longest (from `address` when given), other than `except`. */
  oldest(address?: string, except?: C): C | undefined {
    const connections = address === undefined ? this.opened.keys() : this.byAddress.get(address)?.values();
    for (const connection of connections ?? []) if (connection !== except) return connection;
    return undefined;
  }

  dispose(): void {
    this.cancel?.();
    this.cancel = undefined;
    this.opened.clear();
    this.byAddress.clear();
  }

  private schedule(): void {
    const first = this.opened.values().next();
    if (first.done) return;
    const wait = Math.max(0, first.value.at + this.timeoutMs - this.timing.now());
    this.cancel = this.timing.after(wait, () => this.sweep());
  }

  private sweep(): void {
    this.cancel = undefined;
    const now = this.timing.now();
    for (const [connection, { at }] of this.opened) {
      if (at + this.timeoutMs > now) break;
      this.delete(connection);
      this.expire(connection);
    }
    this.schedule();
  }
}
