/**
 * Remembers message ids for a while, so a message re-sent after a lost acknowledgement is processed
 * once (the stores' de-duplication). The in-memory window: at most `maxIds` ids, each forgotten
 * `ttlMs` after it was first seen.
 * A Map keeps insertion order, which with one TTL for all is also expiry order, so eviction
 * only ever looks at the oldest entries.
 */
export class MemoryDedupWindow {
  private readonly expiries = new Map<string, number>();

  constructor(
    private readonly maxIds: number,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.expiries.size;
  }

  seenBefore(id: string): boolean {
    const now = this.now();
    const expiry = this.expiries.get(id);
    if (expiry !== undefined && expiry > now) return true;
    this.expiries.delete(id);
    this.expiries.set(id, now + this.ttlMs);
    this.evict(now);
    return false;
  }

  clear(): void {
    this.expiries.clear();
  }

  private evict(now: number): void {
    for (const [id, expiry] of this.expiries) {
      if (this.expiries.size <= this.maxIds && expiry > now) return;
      this.expiries.delete(id);
    }
  }
}
