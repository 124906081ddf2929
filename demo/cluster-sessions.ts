// Closes @socket.io/sticky's race (socketio/socket.io-sticky#2): a worker tells the primary which
// session it owns only after its handshake response is written, so on a busy host the client's next
// long-polling request can reach the primary first, go to another worker and get 400 "Session ID
// unknown". Here the worker has the primary record the session before the handshake answers.
import cluster from "node:cluster";
import { randomBytes } from "node:crypto";
import type { Server as EngineServer } from "engine.io";

/** The message @socket.io/sticky's primary binds a session on; `confirm` asks ours to answer. */
const BIND = "sticky:connection";
const BOUND = "echo-socket:session-bound";

interface BindMessage {
  type: typeof BIND;
  data: string;
  confirm?: true;
}

/** Primary, after sticky's `setupPrimary`: answers each confirmed binding once sticky has recorded it. */
export function confirmSessionBindings(): void {
  // Listeners run in order: sticky's, registered first, has stored the session when this one runs.
  cluster.on("message", (worker, message: Partial<BindMessage>) => {
    if (message?.type === BIND && message.confirm && typeof message.data === "string") worker.send({ type: BOUND, data: message.data });
  });
}

/** How long a handshake waits for the primary to record its session: past it, it fails (the client retries). */
const BIND_TIMEOUT_MS = 5000;

/** Worker: each new session id is bound on the primary before engine.io answers the handshake. */
export function bindSessionsBeforeHandshake(engine: EngineServer): void {
  const waiting = new Map<string, () => void>();
  process.on("message", (message: { type?: unknown; data?: unknown }) => {
    if (message?.type !== BOUND || typeof message.data !== "string") return;
    waiting.get(message.data)?.();
    waiting.delete(message.data);
  });
  // The same 20 URL-safe characters as engine.io's own ids (sticky looks for `sid=[\w-]{20}`).
  engine.generateId = () =>
    new Promise<string>((resolve, reject) => {
      const id = randomBytes(15).toString("base64url");
      // engine.io answers a failed id with an error; the client retries. Bounded: a primary that
      // never answers cannot hold handshakes, or this map, for good.
      const fail = (error: Error): void => {
        clearTimeout(timer);
        waiting.delete(id);
        reject(error);
      };
      const timer = setTimeout(() => fail(new Error("the primary did not record the session in time")), BIND_TIMEOUT_MS).unref();
      waiting.set(id, () => {
        clearTimeout(timer);
        resolve(id);
      });
      const message: BindMessage = { type: BIND, data: id, confirm: true };
      process.send!(message, undefined, {}, (error) => {
        if (error) fail(error);
      });
    });
}
