import type { Logger } from "./logger.js";
import type { StatsCounter } from "../state/stats.js";

/** What to do with an error caught in one of echo-socket's listeners: count it and log it. */
export type ListenerFailed = (where: string, error: unknown) => void;

/**
 * Hostile input must never end the process: every listener echo-socket installs on engine.io and
 * socket.io catches what it throws, and reports it here (counted in `stats().errors`, logged).
 */
export function listenerFailed(stats: StatsCounter, logger: Logger): ListenerFailed {
  return (where, error) => {
    stats.errors++;
    try {
      logger.error(`${where} failed (caught, counted in stats().errors):`, error);
    } catch {
      // the user's logger threw too: the count still says it happened
    }
  };
}

/**
 * `listener`, with whatever it throws reported to `failed` instead of escaping into socket.io or
 * engine.io; then `recover` runs with the same arguments (closing the connection it was about, say).
 */
export function caught<A extends unknown[]>(
  where: string,
  failed: ListenerFailed,
  listener: (...args: A) => void,
  recover?: (...args: A) => void,
): (...args: A) => void {
  return (...args) => {
    try {
      listener(...args);
    } catch (error) {
      failed(where, error);
      try {
        recover?.(...args);
      } catch {
        // already counted; nothing more to do for a connection that cannot even be closed
      }
    }
  };
}
