/**
 * Bytes of kept echoes, first in first out, in one buffer outside the JavaScript heap: a fast echo's
 * text kept for recovery is copied here as UTF-8 rather than kept as a string, so tens of megabytes
 * of kept echoes cost the garbage collector nothing (as strings they were promoted and re-marked).
 * The owner frees regions oldest first (`release`), in the order it wrote them; a region never wraps
 * around the end: when it does not fit there it starts again at 0.
 */
export class ByteRing {
  private buffer: Buffer | undefined;
  /** Where the next region starts. */
  private head = 0;
  /** Where the oldest region still held starts (meaningless while `held` is 0). */
  private tail = 0;
  private held = 0;
  /** Where the regions before a wrap end, while some of them are still held (then new ones start again at 0). */
  private wrapEnd = -1;

  /** `capacity` bytes, taken from the system only as they are written. */
  constructor(readonly capacity: number) {}

  /**
   * Where `bytes` bytes would go now, or -1 when the oldest regions must be released first (the
   * owner drops its oldest entries and asks again). A region never wraps around the end.
   */
  place(bytes: number): number {
    if (bytes > this.capacity) return -1;
    if (this.held === 0) return this.head + bytes <= this.capacity ? this.head : 0;
    if (this.head > this.tail) {
      if (this.head + bytes <= this.capacity) return this.head;
      return bytes <= this.tail ? 0 : -1;
    }
    return this.head + bytes <= this.tail ? this.head : -1;
  }

  /** Writes `text` as UTF-8 at `at` (from `place`, for its byte length); returns the bytes written. */
  write(text: string, at: number, bytes: number): number {
    // allocUnsafeSlow: not zero-filled, so its pages become resident only as echoes are written to them.
    this.buffer ??= Buffer.allocUnsafeSlow(this.capacity);
    if (this.held === 0) this.tail = at;
    else if (at < this.head) this.wrapEnd = this.head;
    this.buffer.write(text, at, bytes, "utf8");
    this.head = at + bytes;
    this.held++;
    return bytes;
  }

  read(at: number, bytes: number): string {
    return this.buffer!.toString("utf8", at, at + bytes);
  }

  /** Copies a held region into `target` (a larger ring the owner moves to) at `to`, from its `place`. */
  copyTo(target: ByteRing, at: number, to: number, bytes: number): void {
    target.buffer ??= Buffer.allocUnsafeSlow(target.capacity);
    if (target.held === 0) target.tail = to;
    this.buffer!.copy(target.buffer, to, at, at + bytes);
    target.head = to + bytes;
    target.held++;
  }

  /** Frees the oldest region, `bytes` long. */
  release(bytes: number): void {
    this.held--;
    this.tail += bytes;
    if (this.tail === this.wrapEnd) {
      this.tail = 0;
      this.wrapEnd = -1;
    }
    if (this.held === 0) this.clear();
  }

  /** Forgets every region (the buffer stays, to be written over). */
  clear(): void {
    this.head = 0;
    this.tail = 0;
    this.held = 0;
    this.wrapEnd = -1;
  }
}
