import { randomBytes } from "node:crypto";
import { Adapter, type BroadcastOptions, type PrivateSessionId, type Room } from "socket.io-adapter";

type SessionToPersist = Parameters<Adapter["persistSession"]>[0];
type RestoredSession = Awaited<ReturnType<Adapter["restoreSession"]>>;

interface Retained {
  seq: number;
  rooms: ReadonlySet<Room>;
  data: unknown[];
  bytes: number;
  emittedAt: number;
}

export interface RecoveryLimits {
  /** How long a dropped session and its missed echoes are kept. */
  windowMs: number;
  /** Most bytes of emitted packets kept for replay, across all clients. */
  maxBytes: number;
}

/**
 * Connection state recovery with bounded memory. socket.io's own `SessionAwareAdapter` keeps every
 * packet for the whole window plus up to a minute more, whatever its size or rate: at the rate
 * limit with large messages that is gigabytes, and a reconnect scans all of it. This one keeps
 * packets in one ring bounded by bytes and age, indexes them per room, and looks up offsets in O(1).
 * It stores what socket.io stores (non-volatile event packets without acks) and speaks the same
 * offset protocol, so socket.io-client needs nothing new.
 */
export class BoundedRecoveryAdapter extends Adapter {
  private readonly prefix = randomBytes(4).toString("hex");
  private ring: Retained[] = [];
  private head = 0;
  private nextSeq = 0;
  private bytes = 0;
  private readonly byRoom = new Map<Room, number[]>();
  private readonly sessions = new Map<PrivateSessionId, SessionToPersist & { disconnectedAt: number }>();

  constructor(
    nsp: ConstructorParameters<typeof Adapter>[0],
    private readonly limits: RecoveryLimits,
  ) {
    super(nsp);
  }

  override broadcast(packet: { type: number; id?: number; data: unknown[] }, opts: BroadcastOptions): void {
    if (packet.type === 2 && packet.id === undefined && opts.flags?.volatile === undefined) {
      const seq = this.nextSeq++;
      packet.data.push(this.prefix + seq.toString(36)); // the offset the client sends back on reconnect
      this.retain({ seq, rooms: new Set(opts.rooms), data: packet.data, bytes: estimateBytes(packet.data), emittedAt: Date.now() });
    }
    super.broadcast(packet, opts);
  }

  override persistSession(session: SessionToPersist): void {
    const now = Date.now();
    for (const [pid, kept] of this.sessions) {
      if (kept.disconnectedAt + this.limits.windowMs >= now) break; // insertion order is expiry order
      this.sessions.delete(pid);
    }
    this.sessions.set(session.pid, { ...session, disconnectedAt: now });
  }

  override restoreSession(pid: PrivateSessionId, offset: string): Promise<RestoredSession> {
    const session = this.sessions.get(pid);
    this.sessions.delete(pid);
    this.prune(Date.now());
    const seq = offset.startsWith(this.prefix) ? parseInt(offset.slice(this.prefix.length), 36) : NaN;
    const oldest = this.head < this.ring.length ? this.ring[this.head]!.seq : this.nextSeq;
    // Unknown session, expired, or its offset already dropped: socket.io starts a fresh session.
    if (!session || session.disconnectedAt + this.limits.windowMs < Date.now() || !(seq >= oldest - 1 && seq < this.nextSeq)) {
      return Promise.resolve(null as unknown as RestoredSession);
    }
    const seqs = new Set<number>();
    for (const room of session.rooms) for (const s of this.byRoom.get(room) ?? []) if (s > seq) seqs.add(s);
    const missedPackets = [...seqs].sort((a, b) => a - b).map((s) => this.ring[this.head + (s - oldest)]!.data);
    const { disconnectedAt: _, ...persisted } = session;
    return Promise.resolve({ ...persisted, missedPackets });
  }

  override close(): void {
    this.ring = [];
    this.head = 0;
    this.bytes = 0;
    this.byRoom.clear();
    this.sessions.clear();
  }

  private retain(packet: Retained): void {
    this.ring.push(packet);
    this.bytes += packet.bytes;
    for (const room of packet.rooms) {
      const seqs = this.byRoom.get(room);
      if (seqs) seqs.push(packet.seq);
      else this.byRoom.set(room, [packet.seq]);
    }
    this.prune(packet.emittedAt);
  }

  /** Drops the oldest packets while over the byte bound or past the window; amortised O(1). */
  private prune(now: number): void {
    while (this.head < this.ring.length) {
      const oldest = this.ring[this.head]!;
      if (this.bytes <= this.limits.maxBytes && oldest.emittedAt + this.limits.windowMs >= now) break;
      this.bytes -= oldest.bytes;
      for (const room of oldest.rooms) {
        const seqs = this.byRoom.get(room)!;
        seqs.shift();
        if (seqs.length === 0) this.byRoom.delete(room);
      }
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.ring.length) {
      this.ring = this.ring.slice(this.head);
      this.head = 0;
    }
  }
}

/** A cheap size estimate of an event's arguments: strings and binary exactly, anything else roughly. */
function estimateBytes(data: readonly unknown[]): number {
  let bytes = 0;
  for (const value of data) {
    if (typeof value === "string") bytes += value.length;
    else if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) bytes += value.byteLength;
    else if (typeof value === "object" && value !== null) bytes += 64 + JSON.stringify(value)?.length;
    else bytes += 8;
  }
  return bytes;
}

/** socket.io constructs adapters itself (`new Adapter(nsp)`), so bind the limits into a subclass. */
export function boundedRecoveryAdapter(limits: RecoveryLimits): typeof Adapter {
  return class extends BoundedRecoveryAdapter {
    constructor(nsp: ConstructorParameters<typeof Adapter>[0]) {
      super(nsp, limits);
    }
  };
}
