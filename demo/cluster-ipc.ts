// What the primary and the workers of `npm run start:cluster` say to each other.
import type { Worker } from "node:cluster";

/** A worker tells the primary it can take connections. */
export const WORKER_READY = "echo-socket:worker-ready";

/** Most messages held for one worker that is not ready; past it, new ones are refused at once. */
export const MAX_HELD = 1000;

/** What `sendWhenReady` returns: the worker is ready (send what was held), or gone (refuse it). */
export interface HeldMessages {
  ready(): void;
  discard(reason: string): void;
  readonly count: number;
}

type SendArgs = unknown[];

/**
 * Holds what the primary sends `worker` (sticky's connection handovers among them) until the worker
 * says it is ready. sticky picks any forked worker, also one still loading its modules; a message
 * that reaches a worker before it listens is dropped by Node, and that client's connection hangs
 * until it gives up (socket.io-client waits 20 s). `ready()` sends what was held, in order;
 * `discard()` (the worker exited, or never became ready) fails each held send, so sticky closes its
 * connection and the client reconnects elsewhere. At most `MAX_HELD` wait; more are failed at once.
 */
export function sendWhenReady(worker: Pick<Worker, "send">, maxHeld = MAX_HELD): HeldMessages {
  const send = worker.send.bind(worker) as (...args: SendArgs) => boolean;
  let held: SendArgs[] | undefined = [];
  worker.send = ((...args: SendArgs) => {
    if (!held) return send(...args);
    if (held.length >= maxHeld) {
      fail(args, "too many connections wait for this worker");
      return false;
    }
    held.push(args);
    return true;
  }) as Worker["send"];
  return {
    ready() {
      const messages = held ?? [];
      held = undefined;
      for (const args of messages) send(...args);
    },
    discard(reason) {
      const messages = held ?? [];
      held = undefined;
      for (const args of messages) fail(args, reason);
    },
    get count() {
      return held?.length ?? 0;
    },
  };
}

/** Fails one send as Node would: its callback gets an error (sticky then closes the connection), else its socket is closed. */
function fail(args: SendArgs, reason: string): void {
  const last = args[args.length - 1];
  const callback = typeof last === "function" ? (last as (error: Error) => void) : undefined;
  if (callback) return callback(new Error(reason));
  const handle = args[1] as { destroy?: () => void } | undefined;
  handle?.destroy?.();
}
