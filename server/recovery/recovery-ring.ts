import { randomBytes } from "node:crypto";
import type { Adapter, BroadcastOptions, PrivateSessionId, Room } from "socket.io-adapter";
import { READY_EVENT } from "../../protocol/index.js";
import { heapBytes } from "../messages/payload-size.js";
import { PACKET } from "../messages/wire.js";
import { ByteRing } from "./byte-ring.js";

type SessionToPersist = Parameters<Adapter["persistSession"]>[0];
export type RestoredSession = Awaited<ReturnType<Adapter["restoreSession"]>>;

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

/**
 * The recovery that keeps echoes the fast path writes itself: an adapter that has one (echo-socket's
 * in-memory adapter, or a shared adapter echo-socket keeps echoes node-local on) exposes it as
 * `echoRecovery`; the fast path appends the offset `retainRaw` returns to its reply.
 */
export interface EchoRecovery {
  retainRaw(room: Room, event: string, literal: string): string;
}

/** The recovery that keeps raw echoes for `adapter`'s sockets, if it has one (see `EchoRecovery`). */
export function echoRecoveryOf(adapter: object): EchoRecovery | undefined {
  const recovery = (adapter as { echoRecovery?: EchoRecovery }).echoRecovery;
  return typeof recovery?.retainRaw === "function" ? recovery : undefined;
}

/** A packet as socket.io hands it to `adapter.broadcast`. */
export interface EmittedPacket {
  type: number;
  id?: number;
  data: unknown[];
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
 * Connection state recovery with bounded memory, on this node. socket.io's own `SessionAwareAdapter`
 * keeps every packet for the whole window plus up to a minute more, whatever its size or rate: at the
 * rate limit with large messages that is gigabytes, and a reconnect scans all of it. This ring keeps
 * packets in parallel arrays (no object per packet, so little work for the GC), bounded by bytes,
 * count and age; fast echoes' text sits outside the heap in a `ByteRing`. It keeps what socket.io
 * keeps (non-volatile event packets without acks) and speaks the same offset protocol (the offset is
 * the packet's last argument; the client presents the last one it got), so socket.io-client needs
 * nothing new. Offsets it writes are its random prefix and a base-36 sequence number.
 *
 * A packet whose offset another recovery wrote (the Redis Streams adapter's stream id, for an
 * application's broadcast that went through Redis) can be kept too (`keepDelivered`), in the order it
 * was delivered here: a session restored from this ring then gets those as well, and the client may
 * present such an offset to restore from here.
 */
export class RecoveryRing {
  private readonly prefix = randomBytes(4).toString("hex");
  // The ring starts small and doubles when full, up to MAX_CAPACITY: an idle server pays almost nothing.
  private capacity = INITIAL_CAPACITY;
  private mask = INITIAL_CAPACITY - 1;
  /** Whom each packet went to: one room, or a set of rooms (empty: every socket of the namespace). */
  private packetRooms: Array<Room | ReadonlySet<Room> | undefined> = new Array(INITIAL_CAPACITY).fill(undefined);
  /** Rooms a packet was not for (`except`), when there were any. */
  private packetExcept: Array<ReadonlySet<Room> | undefined> = new Array(INITIAL_CAPACITY).fill(undefined);
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
  /** Kept packets whose offset another recovery wrote (`keepDelivered`): that offset, to its sequence number. */
  private readonly foreign = new Map<string, number>();
  private readonly sessions = new Map<PrivateSessionId, SessionToPersist & { disconnectedAt: number }>();
  /** The socket id of each kept session, to its session id. */
  private readonly droppedSockets = new Map<string, PrivateSessionId>();
  /**
   * Per session: restores over the current minute (a replay costs the server, so it is rationed), and
   * the newest packet a restore replayed (an older offset would replay the same packets again).
   */
  private readonly restores = new Map<PrivateSessionId, { since: number; count: number; replayedThrough: number }>();

  private readonly now: () => number;

  constructor(private readonly limits: RecoveryLimits) {
    this.now = limits.now ?? Date.now;
    this.raw = new ByteRing(Math.min(INITIAL_RAW_BYTES, limits.maxBytes));
  }

  /**
   * Keeps a packet socket.io emits, when socket.io would (an event without acknowledgement, not
   * volatile; echo-socket's ready signal is not kept), appending its offset to its arguments.
   */
  keepEmitted(packet: EmittedPacket, opts: BroadcastOptions): void {
    if (packet.type === PACKET.EVENT && packet.id === undefined && opts.flags?.volatile === undefined && packet.data[0] !== READY_EVENT) {
      packet.data.push(this.offsetOf(this.next)); // the offset the client sends back on reconnect
      this.retain(roomsOf(opts), exceptOf(opts), packet.data, heapBytes(packet.data));
    }
  }

  /**
   * Keeps a packet delivered on this node whose offset (its last argument) another recovery wrote:
   * a session restored from this ring gets it too, and that offset restores from this ring.
   */
  keepDelivered(data: unknown[], opts: BroadcastOptions): void {
    const offset = data[data.length - 1];
    if (typeof offset !== "string") return;
    this.foreign.set(offset, this.next);
    this.retain(roomsOf(opts), exceptOf(opts), data, heapBytes(data));
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
    const slot = this.retain(room, undefined, undefined, bytes);
    this.rawAt[slot] = at;
    this.rawBytes[slot] = bytes;
    this.prune(this.times[slot]!);
    return offset;
  }

  /** Whether `offset` is one this ring can restore from: one it wrote, or a kept packet's foreign one. */
  owns(offset: string): boolean {
    return !Number.isNaN(this.sequenceOf(offset));
  }

  /** Keeps a dropped session for `windowMs` (socket.io calls this on a disconnect it may recover from). */
  persistSession(session: SessionToPersist): void {
    const now = this.now();
    for (const [pid, kept] of this.sessions) {
      if (kept.disconnectedAt + this.limits.windowMs >= now) break; // insertion order is expiry order
      this.forget(pid);
    }
    // Kept past the window too: a floor must outlive the packets below it (they go after `windowMs`).
    const kept = Math.max(MINUTE_MS, this.limits.windowMs);
    for (const [pid, restores] of this.restores) {
      if (restores.since + kept >= now) break; // insertion order is the order windows began
      this.restores.delete(pid);
    }
    this.forget(session.pid); // re-inserted last: the map stays in expiry order
    this.sessions.set(session.pid, { ...session, disconnectedAt: now });
    this.droppedSockets.set(session.sid, session.pid);
  }

  /** Whether socket `sid` dropped and its session is kept here: an emit to it is kept for its restore. */
  holdsSessionOf(sid: string): boolean {
    const pid = this.droppedSockets.get(sid);
    const session = pid === undefined ? undefined : this.sessions.get(pid);
    return session !== undefined && session.disconnectedAt + this.limits.windowMs >= this.now();
  }

  /**
   * Replays what a reconnecting client missed, when the offset it presents is one this session was
   * sent and still kept and not older than what an earlier restore replayed (each packet is replayed
   * once), the replay fits `maxReplayBytes`, and the session has not restored `RESTORES_PER_MINUTE`
   * times already. Otherwise null: socket.io starts a fresh session (the element re-sends what is unechoed).
   */
  restoreSession(pid: PrivateSessionId, offset: string): Promise<RestoredSession> {
    const now = this.now();
    const session = this.sessions.get(pid);
    this.forget(pid);
    this.prune(now);
    const seq = this.sequenceOf(offset);
    const fresh = Promise.resolve(null as unknown as RestoredSession);
    if (!session || session.disconnectedAt + this.limits.windowMs < now) return fresh;
    const wanted = new Set(session.rooms);
    // Only an offset this session was given, and still kept: not one before the first, nor another's.
    if (!(seq >= this.first && seq < this.next) || !this.reaches(seq, wanted)) return fresh;
    if (!this.countRestore(pid, seq, now)) return fresh;
    const missedPackets: unknown[][] = [];
    let bytes = 0;
    for (let s = seq + 1; s < this.next; s++) {
      if (!this.reaches(s, wanted)) continue;
      bytes += this.sizes[s & this.mask]!;
      if (bytes > this.limits.maxReplayBytes) return fresh;
      missedPackets.push(this.argumentsOf(s));
    }
    const { disconnectedAt: _, ...persisted } = session;
    return Promise.resolve({ ...persisted, missedPackets });
  }

  /** Forgets every packet and session. */
  close(): void {
    this.packetRooms.fill(undefined);
    this.packetExcept.fill(undefined);
    this.packets.fill(undefined);
    this.rawAt.fill(-1);
    this.raw.clear();
    this.foreign.clear();
    this.first = this.next;
    this.bytes = 0;
    this.sessions.clear();
    this.droppedSockets.clear();
    this.restores.clear();
  }

  private forget(pid: PrivateSessionId): void {
    const session = this.sessions.get(pid);
    if (session === undefined) return;
    this.sessions.delete(pid);
    if (this.droppedSockets.get(session.sid) === pid) this.droppedSockets.delete(session.sid);
  }

  /** Packets kept now, and their bytes as counted against `maxBytes` (for tests and metrics). */
  get size(): { packets: number; bytes: number } {
    return { packets: this.next - this.first, bytes: this.bytes };
  }

  /** Whether the packet numbered `seq` went to a socket in `rooms` (a session's rooms, its id among them). */
  private reaches(seq: number, rooms: ReadonlySet<Room>): boolean {
    const slot = seq & this.mask;
    const to = this.packetRooms[slot];
    if (to === undefined) return false;
    if (typeof to === "string" ? !rooms.has(to) : to.size > 0 && ![...to].some((room) => rooms.has(room))) return false;
    const except = this.packetExcept[slot];
    return except === undefined || ![...rooms].some((room) => except.has(room));
  }

  /** The sequence number an offset stands for in this ring; NaN when it is not one this ring can restore from. */
  private sequenceOf(offset: string): number {
    if (typeof offset !== "string") return NaN;
    const digits = offset.slice(this.prefix.length);
    if (offset.startsWith(this.prefix) && /^[0-9a-z]{1,11}$/.test(digits)) return parseInt(digits, 36);
    return this.foreign.get(offset) ?? NaN;
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
  private retain(rooms: Room | ReadonlySet<Room>, except: ReadonlySet<Room> | undefined, packet: unknown[] | undefined, payloadBytes: number): number {
    const now = this.now();
    if (this.next - this.first === this.capacity) {
      if (this.capacity < MAX_CAPACITY) this.grow();
      else this.dropOldest();
    }
    const slot = this.next & this.mask;
    this.packetRooms[slot] = rooms;
    this.packetExcept[slot] = except;
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
    const except: typeof this.packetExcept = new Array(capacity).fill(undefined);
    const packets: typeof this.packets = new Array(capacity).fill(undefined);
    const sizes = new Uint32Array(capacity);
    const times = new Float64Array(capacity);
    const rawAt = new Int32Array(capacity).fill(-1);
    const rawBytes = new Uint32Array(capacity);
    for (let seq = this.first; seq < this.next; seq++) {
      const from = seq & this.mask;
      const to = seq & mask;
      rooms[to] = this.packetRooms[from];
      except[to] = this.packetExcept[from];
      packets[to] = this.packets[from];
      sizes[to] = this.sizes[from]!;
      times[to] = this.times[from]!;
      rawAt[to] = this.rawAt[from]!;
      rawBytes[to] = this.rawBytes[from]!;
    }
    this.capacity = capacity;
    this.mask = mask;
    this.packetRooms = rooms;
    this.packetExcept = except;
    this.packets = packets;
    this.sizes = sizes;
    this.times = times;
    this.rawAt = rawAt;
    this.rawBytes = rawBytes;
  }

  private dropOldest(): void {
    const slot = this.first & this.mask;
    this.bytes -= this.sizes[slot]!;
    if (this.foreign.size > 0) {
      const offset = this.packets[slot]?.at(-1);
      if (typeof offset === "string" && this.foreign.get(offset) === this.first) this.foreign.delete(offset);
    }
    this.packetRooms[slot] = undefined;
    this.packetExcept[slot] = undefined;
    this.packets[slot] = undefined;
    if (this.rawAt[slot] !== -1) this.raw.release(this.rawBytes[slot]!);
    this.rawAt[slot] = -1;
    this.first++;
  }
}

/** One room as itself (most packets: an emit to one socket), several as their set (empty: every socket). */
function roomsOf(opts: BroadcastOptions): Room | ReadonlySet<Room> {
  return opts.rooms.size === 1 ? opts.rooms.values().next().value! : opts.rooms;
}

function exceptOf(opts: BroadcastOptions): ReadonlySet<Room> | undefined {
  return opts.except !== undefined && opts.except.size > 0 ? opts.except : undefined;
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
