/** A Web Lock held until `release()`. */
export interface HeldLock {
  release(): void;
}

/**
 * Takes Web Lock `name` and holds it until released (or the page goes away). With `ifAvailable`,
 * resolves undefined at once when someone else holds it; with a `signal`, waits for it until aborted
 * (then resolves undefined).
 */
export function lock(locks: LockManager, name: string, options: LockOptions): Promise<HeldLock | undefined> {
  return new Promise((resolve) => {
    locks
      .request(
        name,
        options,
        (lock) => (lock ? new Promise<void>((release) => resolve({ release })) : resolve(undefined)), // ours until `release` settles it
      )
      .catch(() => resolve(undefined)); // aborted, or locks unusable here
  });
}

/** Take it only if no one holds it. */
export const IF_AVAILABLE: LockOptions = { ifAvailable: true };
