/** A listener of event `K` of map `M`. */
export type Listener<M, K extends keyof M> = (event: M[K]) => void;

/**
 * A tiny typed event emitter for browsers and Node alike. A listener that throws does not stop the
 * others or the emitter: its error is reported as an uncaught error, after the current task.
 */
export class TypedEmitter<M> {
  // biome-ignore lint/suspicious/noExplicitAny: one map holds listeners of every event's detail type
  readonly #listeners = new Map<keyof M, Set<Listener<M, any>>>();

  /** Calls `listener` on every `type` event; returns a function that removes it. */
  on<K extends keyof M>(type: K, listener: Listener<M, K>): () => void {
    let set = this.#listeners.get(type);
    if (!set) this.#listeners.set(type, (set = new Set()));
    set.add(listener);
    return () => this.off(type, listener);
  }

  /** Calls `listener` on the next `type` event only; returns a function that removes it. */
  once<K extends keyof M>(type: K, listener: Listener<M, K>): () => void {
    const off = this.on(type, (event) => {
      off();
      listener(event);
    });
    return off;
  }

  /** Removes `listener` (added with `on`) from `type`. */
  off<K extends keyof M>(type: K, listener: Listener<M, K>): void {
    this.#listeners.get(type)?.delete(listener);
  }

  protected emit<K extends keyof M>(type: K, event: M[K]): void {
    const set = this.#listeners.get(type);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(event);
      } catch (error) {
        setTimeout(() => {
          throw error;
        });
      }
    }
  }

  protected removeAllListeners(): void {
    this.#listeners.clear();
  }
}
