import { randomBytes } from "node:crypto";
import { Adapter, type BroadcastOptions, type PrivateSessionId, type Room } from "socket.io-adapter";
import { READY_EVENT } from "../../protocol/index.js";
import { heapBytes } from "../messages/payload-size.js";
import { PACKET } from "../messages/wire.js";
import { ByteRing } from "./byte-ring.js";

type SessionToPersist = Parameters<Adapter["persistSession"]>[0];
type RestoredSession = Awaited<ReturnType<Adapter["restoreSession"]>>;

export interface RecoveryLimits {
  /** How long a dropped session and its missed echoes are kept. */
  windowMs: number;
  /** Most bytes of emitted packets kept for replay, across all clients. */
  maxBytes: number;
  /** Most bytes one reconnect may replay; a session that missed more starts afresh (its client re-sends). */
  maxReplayBytes: number;
  /** The clock (milliseconds); injectable so windows can be tested without waiting. */
  now?: () => number;
}

/** Restores one session may make in a minute; past it, reconnects start fresh sessions. */
export const RESTORES_PER_MINUTE = 20;
const MINUTE_MS = 60_000;

/** Most slots in the ring (a power of two); past it the oldest packet goes, whatever the byte bound. */
const MAX_CAPACITY = 1 << 17;
const INITIAL_CAPACITY = 1 << 8;
const INITIAL_RAW_BYTES = 64 * 1024;
/** What a packet costs beyond its payload: its slots, its offset string. */
const ENTRY_OVERHEAD = 64;

/**
 * Connection state recovery with bounded memory. socket.io's own `SessionAwareAdapter` keeps every
 * packet for the whole window plus up to a minute more, whatever its size or rate: at the rate
 * limit with large messages that is gigabytes, and a reconnect scans all of it. This one keeps
 * packets in a fixed ring of parallel arrays (no object per packet, so little work for the GC),
 * bounded by bytes, count and age. It stores what socket.io stores (non-volatile event packets
 * without acks) and speaks the same offset protocol, so socket.io-client needs nothing new.
 */
export class BoundedRecoveryAdapter extends Adapter {
  private readonly prefix = randomBytes(4).toString("hex");
  // The ring starts small and doubles when full, up to MAX_CAPACITY: an idle server pays almost nothing.
  private capacity = INITIAL_CAPACITY;
  private mask = INITIAL_CAPACITY - 1;
  private packetRooms: Array<Room | ReadonlySet<Room> | undefined> = new Array(INITIAL_CAPACITY).fill(undefined);
  /** The event's arguments (offset last); undefined for a fast-path echo, whose text is in `raw`. */
  private packets: Array<unknown[] | undefined> = new Array(INITIAL_CAPACITY).fill(undefined);
  private sizes = new Uint32Array(INITIAL_CAPACITY);
  /** For a fast-path echo, where its JSON string literal is in `raw` and its UTF-8 length; -1 otherwise. */
  private rawAt = new Int32Array(INITIAL_CAPACITY).fill(-1);
  private rawBytes = new Uint32Array(INITIAL_CAPACITY);
  /** Starts small and doubles when full, up to the byte bound: it holds what recovery keeps, not a window's worth of traffic. */
  private raw: ByteRing;
  private times = new Float64Array(INITIAL_CAPACITY);
  /** Sequence numbers of the oldest kept packet and of the next one. */
  private first = 0;
  private next = 0;
  private bytes = 0;
  private rawEvent = "";
  private readonly sessions = new Map<PrivateSessionId, SessionToPersist & { disconnectedAt: number }>();
  /**
   * Per session: restores over the current minute (a replay costs the server, so it is rationed), and
   * the newest packet a restore replayed (an older offset would replay the same packets again).
   */
  private readonly restores = new Map<PrivateSessionId, { since: number; count: number; replayedThrough: number }>();

  private readonly now: () => number;

  constructor(
    nsp: ConstructorParameters<typeof Adapter>[0],
    private readonly limits: RecoveryLimits,
  ) {
    super(nsp);
    this.now = limits.now ?? Date.now;
    this.raw = new ByteRing(Math.min(INITIAL_RAW_BYTES, limits.maxBytes));
  }

  override broadcast(packet: { type: number; id?: number; data: unknown[] }, opts: BroadcastOptions): void {
    if (packet.type === PACKET.EVENT && packet.id === undefined && opts.flags?.volatile === undefined && packet.data[0] !== READY_EVENT) {
      const rooms = opts.rooms.size === 1 ? opts.rooms.values().next().value! : opts.rooms;
      packet.data.push(this.offsetOf(this.next)); // the offset the client sends back on reconnect
      this.retain(rooms, packet.data, heapBytes(packet.data));
    }
    super.broadcast(packet, opts);
  }

  /**
   * Retains an echo the fast path writes itself (`[event, literal]` to one socket) and returns the
   * offset to append to it; replayed as a normal packet if the client reconnects in time.
   */
  retainRaw(room: Room, event: string, literal: string): string {
    this.rawEvent = event;
    const offset = this.offsetOf(this.next);
    const bytes = literal.length < 64 ? byteLengthOfShort(literal) : Buffer.byteLength(literal);
    let at = this.raw.place(bytes);
    while (at === -1 && this.growRaw()) at = this.raw.place(bytes);
    while (at === -1 && this.first < this.next) {
      this.dropOldest();
      at = this.raw.place(bytes);
    }
    if (at === -1) return offset; // larger than the whole buffer: not kept (the limits refuse such echoes first)
    this.raw.write(literal, at, bytes);
    const slot = this.retain(room, undefined, bytes);
    this.rawAt[slot] = at;
    this.rawBytes[slot] = bytes;
    this.prune(this.times[slot]!);
    return offset;
  }

  override persistSession(session: SessionToPersist): void {
    const now = this.now();
    for (const [pid, kept] of this.sessions) {
      if (kept.disconnectedAt + this.limits.windowMs >= now) break; // insertion order is expiry order
      this.sessions.delete(pid);
    }
    // Kept past the window too: a floor must outlive the packets below it (they go after `windowMs`).
    const kept = Math.max(MINUTE_MS, this.limits.windowMs);
    for (const [pid, restores] of this.restores) {
      if (restores.since + kept >= now) break; // insertion order is the order windows began
      this.restores.delete(pid);
    }
    this.sessions.set(session.pid, { ...session, disconnectedAt: now });
  }

  /**
   * Replays what a reconnecting client missed, when the offset it presents is one this session was
   * sent and still kept and not older than what an earlier restore replayed (each packet is replayed
   * once), the replay fits `maxReplayBytes`, and the session has not restored `RESTORES_PER_MINUTE`
   * times already. Otherwise socket.io starts a fresh session (the element re-sends what is unechoed).
   */
  override restoreSession(pid: PrivateSessionId, offset: string): Promise<RestoredSession> {
    const now = this.now();
    const session = this.sessions.get(pid);
    this.sessions.delete(pid);
    this.prune(now);
    const seq = this.sequenceOf(offset);
    const fresh = Promise.resolve(null as unknown as RestoredSession);
    if (!session || session.disconnectedAt + this.limits.windowMs < now) return fresh;
    // Only an offset this session was given, and still kept: not one before the first, nor another's.
    if (!(seq >= this.first && seq < this.next) || !addressedTo(this.packetRooms[seq & this.mask], session.sid)) return fresh;
    if (!this.countRestore(pid, seq, now)) return fresh;
    const wanted = new Set(session.rooms);
    const missedPackets: unknown[][] = [];
    let bytes = 0;
    for (let s = seq + 1; s < this.next; s++) {
      const rooms = this.packetRooms[s & this.mask]!;
      if (typeof rooms === "string" ? !wanted.has(rooms) : ![...rooms].some((room) => wanted.has(room))) continue;
      bytes += this.sizes[s & this.mask]!;
      if (bytes > this.limits.maxReplayBytes) return fresh;
      missedPackets.push(this.argumentsOf(s));
    }
    const { disconnectedAt: _, ...persisted } = session;
    return Promise.resolve({ ...persisted, missedPackets });
  }

  override close(): void {
    this.packetRooms.fill(undefined);
    this.packets.fill(undefined);
    this.rawAt.fill(-1);
    this.raw.clear();
    this.first = this.next;
    this.bytes = 0;
    this.sessions.clear();
    this.restores.clear();
  }

  /** The sequence number in an offset this adapter wrote; NaN for anything else. */
  private sequenceOf(offset: string): number {
    const digits = offset.slice(this.prefix.length);
    return offset.startsWith(this.prefix) && /^[0-9a-z]{1,11}$/.test(digits) ? parseInt(digits, 36) : NaN;
  }

  /** Whether the session may restore from `seq` now; if so, counts it and moves its floor to the newest packet. */
  private countRestore(pid: PrivateSessionId, seq: number, now: number): boolean {
    let restores = this.restores.get(pid);
    if (restores && seq < restores.replayedThrough) return false;
    if (!restores || restores.since + MINUTE_MS < now) {
      this.restores.delete(pid);
      restores = { since: now, count: 0, replayedThrough: restores?.replayedThrough ?? -1 };
      this.restores.set(pid, restores);
    }
    if (++restores.count > RESTORES_PER_MINUTE) return false;
    restores.replayedThrough = this.next - 1;
    return true;
  }

  private offsetOf(seq: number): string {
    return this.prefix + seq.toString(36);
  }

  private argumentsOf(seq: number): unknown[] {
    const slot = seq & this.mask;
    const at = this.rawAt[slot]!;
    return at === -1 ? this.packets[slot]! : [this.rawEvent, JSON.parse(this.raw.read(at, this.rawBytes[slot]!)), this.offsetOf(seq)];
  }

  /**
   * Keeps a packet in the next slot, and returns the slot: its arguments, or undefined for a fast
   * echo (`retainRaw` then says where its text is, and prunes).
   */
  private retain(rooms: Room | ReadonlySet<Room>, packet: unknown[] | undefined, payloadBytes: number): number {
    const now = this.now();
    if (this.next - this.first === this.capacity) {
      if (this.capacity < MAX_CAPACITY) this.grow();
      else this.dropOldest();
    }
    const slot = this.next & this.mask;
    this.packetRooms[slot] = rooms;
    this.packets[slot] = packet;
    this.rawAt[slot] = -1;
    this.sizes[slot] = payloadBytes + ENTRY_OVERHEAD;
    this.times[slot] = now;
    this.bytes += payloadBytes + ENTRY_OVERHEAD;
    this.next++;
    if (packet !== undefined) this.prune(now);
    return slot;
  }

  /** Moves the kept fast echoes' text to a ring twice as large; false when the ring is as large as the bound. */
  private growRaw(): boolean {
    const from = this.raw;
    if (from.capacity >= this.limits.maxBytes) return false;
    const to = new ByteRing(Math.min(from.capacity * 2, this.limits.maxBytes));
    for (let seq = this.first; seq < this.next; seq++) {
      const slot = seq & this.mask;
      const at = this.rawAt[slot]!;
      if (at === -1) continue;
      const bytes = this.rawBytes[slot]!;
      const placed = to.place(bytes); // in order from 0: it fits, the new ring being larger than everything held
      from.copyTo(to, at, placed, bytes);
      this.rawAt[slot] = placed;
    }
    this.raw = to;
    return true;
  }

  /** Drops the oldest packets while over the byte bound or past the window; amortised O(1). */
  private prune(now: number): void {
    while (this.first < this.next) {
      const slot = this.first & this.mask;
      if (this.bytes <= this.limits.maxBytes && this.times[slot]! + this.limits.windowMs >= now) return;
      this.dropOldest();
    }
  }

  /** Doubles the ring, moving each kept packet to its slot under the new mask. */
  private grow(): void {
    const capacity = this.capacity * 2;
    const mask = capacity - 1;
    const rooms: typeof this.packetRooms = new Array(capacity).fill(undefined);
    const packets: typeof this.packets = new Array(capacity).fill(undefined);
    const sizes = new Uint32Array(capacity);
    const times = new Float64Array(capacity);
    const rawAt = new Int32Array(capacity).fill(-1);
    const rawBytes = new Uint32Array(capacity);
    for (let seq = this.first; seq < this.next; seq++) {
      const from = seq & this.mask;
      const to = seq & mask;
      rooms[to] = this.packetRooms[from];
      packets[to] = this.packets[from];
      sizes[to] = this.sizes[from]!;
      times[to] = this.times[from]!;
      rawAt[to] = this.rawAt[from]!;
      rawBytes[to] = this.rawBytes[from]!;
    }
    this.capacity = capacity;
    this.mask = mask;
    this.packetRooms = rooms;
    this.packets = packets;
    this.sizes = sizes;
    this.times = times;
    this.rawAt = rawAt;
    this.rawBytes = rawBytes;
  }

  private dropOldest(): void {
    const slot = this.first & this.mask;
    this.bytes -= this.sizes[slot]!;
    this.packetRooms[slot] = undefined;
    this.packets[slot] = undefined;
    if (this.rawAt[slot] !== -1) this.raw.release(this.rawBytes[slot]!);
    this.rawAt[slot] = -1;
    this.first++;
  }
}

/** socket.io constructs adapters itself (`new Adapter(nsp)`), so bind the limits into a subclass. */
export function boundedRecoveryAdapter(limits: RecoveryLimits): typeof Adapter {
  return class extends BoundedRecoveryAdapter {
    constructor(nsp: ConstructorParameters<typeof Adapter>[0]) {
      super(nsp, limits);
    }
  };
}

function addressedTo(rooms: Room | ReadonlySet<Room> | undefined, sid: string): boolean {
  return rooms !== undefined && (typeof rooms === "string" ? rooms === sid : rooms.has(sid));
}

/** UTF-8 length of a short string without a call into C++ (most echoes are short). */
function byteLengthOfShort(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) bytes += 1;
    else if (code >= 0xd800 && code <= 0xdbff && isLowSurrogate(text.charCodeAt(i + 1))) {
      bytes += 2; // a surrogate pair: 4 bytes for its 2 units
      i++;
    } else bytes += 2; // the rest of the BMP, and a lone surrogate (written as U+FFFD): 3 bytes
  }
  return bytes;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
