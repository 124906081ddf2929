/**
 * Commands the Redis Streams adapter sends without waiting on the reply: a session save (SET, on
 * every disconnect) and PUB/SUB requests (PUBLISH, SPUBLISH). node-redis rejects a command that gets
 * no reply within its `commandTimeoutMs` (5 s by default), so a stalled Redis turns each into an
 * unhandled rejection, which ends the process. Those calls are made inside the adapter, out of reach
 * of the adapter's wrapper: only the client's own methods see the promise.
 */
const DROPPED_BY_ADAPTER = ["set", "SET", "publish", "PUBLISH", "sPublish", "SPUBLISH"] as const;

const GUARDED = Symbol.for("echo-socket.redis-client-guard");

type Guardable = Record<string, unknown> & { [GUARDED]?: (error: unknown) => void };

/**
 * Marks the promises of `client`'s fire-and-forget commands as handled: a caller that waits on one
 * still sees its rejection, one that dropped it no longer crashes the process. Each such failure is
 * reported to `onError` (the latest store to guard the client). Only this client instance changes.
 * Returns a function that stops reporting to `onError` (a closed store is not kept alive by the client).
 */
export function guardDroppedCommands(client: object, onError: (error: unknown) => void): () => void {
  const target = client as Guardable;
  const installed = GUARDED in target;
  target[GUARDED] = onError;
  const release = (): void => {
    if (target[GUARDED] === onError) target[GUARDED] = undefined;
  };
  if (installed) return release;
  for (const name of DROPPED_BY_ADAPTER) {
    const original = target[name];
    if (typeof original !== "function") continue;
    target[name] = function guardedCommand(this: unknown, ...args: unknown[]): unknown {
      const result: unknown = original.apply(this, args);
      if (result instanceof Promise) result.catch((error: unknown) => target[GUARDED]?.(error));
      return result;
    };
  }
  return release;
}
