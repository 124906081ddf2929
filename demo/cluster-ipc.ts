// What the primary and the workers of `npm run start:cluster` say to each other.
import type { Worker } from "node:cluster";

/** A worker tells the primary it can take connections. */
export const WORKER_READY = "echo-socket:worker-ready";

/**
 * Holds what the primary sends `worker` (sticky's connection handovers among them) until the worker
 * says it is ready. sticky picks any forked worker, also one still loading its modules; a message
 * that reaches a worker before it listens is dropped by Node, and that client's connection hangs
 * until it gives up (socket.io-client waits 20 s). `ready()` sends what was held, in order.
 */
export function sendWhenReady(worker: Worker): { ready(): void } {
  const send = worker.send.bind(worker) as (...args: unknown[]) => boolean;
  let held: unknown[][] | undefined = [];
  worker.send = ((...args: unknown[]) => {
    if (!held) return send(...args);
    held.push(args);
    return true;
  }) as Worker["send"];
  return {
    ready() {
      const messages = held ?? [];
      held = undefined;
      for (const args of messages) send(...args);
    },
  };
}
