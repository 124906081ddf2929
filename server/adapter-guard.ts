import type { ServerOptions } from "socket.io";

type AdapterOption = NonNullable<ServerOptions["adapter"]>;

/**
 * Wraps a shared adapter (Redis Streams) so that while the store finds Redis unreachable, a
 * reconnecting client's session lookup fails at once (socket.io then starts a fresh session and the
 * element re-sends what was not echoed) instead of waiting in the Redis client's queue until Redis returns.
 */
export function failFastRecovery(adapter: AdapterOption, reachable: () => boolean): AdapterOption {
  // socket.io calls `new adapter(nsp)`: a class, or a factory function that returns the instance.
  const Adapter = adapter as unknown as new (nsp: unknown) => {
    restoreSession(pid: string, offset: string): Promise<unknown>;
  };
  return function echoSocketAdapter(nsp: unknown) {
    const instance = new Adapter(nsp);
    const restore = instance.restoreSession.bind(instance);
    instance.restoreSession = (pid, offset) => (reachable() ? restore(pid, offset) : Promise.resolve(null));
    return instance;
  } as unknown as AdapterOption;
}
