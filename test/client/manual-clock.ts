import type { Clock } from "../../client/clock.js";

/** A clock the test moves by hand: timers fire, in order, only inside `advance()`. */
export class ManualClock implements Clock {
  #time = 0;
  #nextId = 1;
  readonly #timers = new Map<number, { at: number; callback: () => void }>();
  /** Every delay asked for, in order. */
  readonly delays: number[] = [];

  now(): number {
    return this.#time;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.#nextId++;
    this.delays.push(ms);
    this.#timers.set(id, { at: this.#time + ms, callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as number);
  }

  /** Timers waiting to fire. */
  get pending(): number {
    return this.#timers.size;
  }

  /** Moves time forward by `ms`, firing each timer due on the way at its own time. */
  advance(ms: number): void {
    const end = this.#time + ms;
    for (;;) {
      let due: [number, { at: number; callback: () => void }] | undefined;
      for (const timer of this.#timers) if (timer[1].at <= end && (!due || timer[1].at < due[1].at)) due = timer;
      if (!due) break;
      this.#timers.delete(due[0]);
      this.#time = due[1].at;
      due[1].callback();
    }
    this.#time = end;
  }
}
