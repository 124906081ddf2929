import { Adapter, type BroadcastOptions, type PrivateSessionId, type Room } from "socket.io-adapter";
import { type EmittedPacket, type RecoveryLimits, RecoveryRing, type RestoredSession } from "./recovery-ring.js";

export { RESTORES_PER_MINUTE, type RecoveryLimits } from "./recovery-ring.js";

type SessionToPersist = Parameters<Adapter["persistSession"]>[0];

/**
 * Connection state recovery with bounded memory, for one node (memory mode): socket.io's in-memory
 * adapter with echo-socket's `RecoveryRing` in place of socket.io's `SessionAwareAdapter`, which keeps
 * every packet for the whole window plus up to a minute more, whatever its size or rate. Every packet
 * socket.io would keep goes into the ring; the fast path finds the ring as `echoRecovery`.
 */
export class BoundedRecoveryAdapter extends Adapter {
  /** Where emitted packets and fast echoes are kept for replay (`echoRecoveryOf` finds it). */
  readonly echoRecovery: RecoveryRing;

  constructor(nsp: ConstructorParameters<typeof Adapter>[0], limits: RecoveryLimits) {
    super(nsp);
    this.echoRecovery = new RecoveryRing(limits);
  }

  override broadcast(packet: EmittedPacket, opts: BroadcastOptions): void {
    this.echoRecovery.keepEmitted(packet, opts);
    super.broadcast(packet, opts);
  }

  /** See `RecoveryRing.retainRaw`. */
  retainRaw(room: Room, event: string, literal: string): string {
    return this.echoRecovery.retainRaw(room, event, literal);
  }

  override persistSession(session: SessionToPersist): void {
    this.echoRecovery.persistSession(session);
  }

  /** See `RecoveryRing.restoreSession`: null (a fresh session) unless this node kept what the session missed. */
  override restoreSession(pid: PrivateSessionId, offset: string): Promise<RestoredSession> {
    return this.echoRecovery.restoreSession(pid, offset);
  }

  override close(): void {
    this.echoRecovery.close();
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
