import type { Namespace, Socket } from "socket.io";
import type { EchoContext, FastEchoPath } from "./echo-context.js";
import type { MessageGuard } from "./message-guard.js";
import { Adapter } from "socket.io-adapter";
import { echoRecoveryOf } from "../recovery/recovery-ring.js";
import { eventStart, namespacePart, PACKET } from "./wire.js";

/** What the fast path needs of a socket's echo session. */
export interface FastEchoSession {
  guardOf(): MessageGuard;
  readonly idle: boolean;
}

/**
 * The echo fast path. The common message, `42["ms","some text"]` (one string, no acknowledgement,
 * no binary), is answered straight from engine.io's text: the reply is the same JSON string
 * literal behind the reply event's name, which the guard writes to the connection, without
 * socket.io's decode, dispatch on the next tick, and encode. Everything else goes to socket.io
 * untouched, and so does a message any guard would refuse (socket.io's path then refuses it with its
 * reason). The connection guard offers it each text packet, and keeps order: once a packet went to
 * socket.io (answered on the next tick), the rest of that tick follows it. Skipped while the socket
 * has other listeners for the event or catch-all listeners.
 *
 * One per channel, shared by its sockets (a closure per socket cost 150 bytes of each idle
 * connection); undefined when the channel's sockets cannot have a fast path.
 */
export function fastEcho(namespace: Namespace, context: EchoContext): FastEcho | undefined {
  const { options } = context;
  const adapter = namespace.adapter;
  const recovery = echoRecoveryOf(adapter);
  // Fast replies need offsets from echo-socket's recovery ring (its in-memory adapter, or a shared adapter
  // it keeps echoes node-local on), or no recovery at all (the plain in-memory adapter, or any adapter
  // when socket.io writes emits directly); otherwise (socket.io's own recovery) socket.io's path is kept.
  const knownAdapter = recovery !== undefined || adapter.constructor === Adapter || context.directEmits;
  // A per-address allowance is asked asynchronously for every message: socket.io's path then.
  if (!options.fastPath || !knownAdapter || options.logMessages || context.store.addressLimiter) return undefined;
  return new FastEcho(context, recovery, fastPathPrefixes(namespace.name, options.receiveEvent, options.replyEvent));
}

export class FastEcho implements FastEchoPath {
  constructor(
    private readonly context: EchoContext,
    private readonly recovery: ReturnType<typeof echoRecoveryOf>,
    private readonly prefixes: { prefix: string; replyPrefix: string },
  ) {}

  /** The reply packet to `data` from `socket`, for the guard to write; undefined: socket.io's path. */
  echo(socket: Socket, session: FastEchoSession, data: string): string | undefined {
    const { context } = this;
    const { options } = context;
    const { prefix, replyPrefix } = this.prefixes;
    if (
      !session.idle || // a message waiting on the store goes first
      !data.startsWith(prefix) ||
      !isJsonStringLiteral(data, prefix.length, data.length - 1) ||
      !socket.connected ||
      context.isShuttingDown() ||
      socket.listenerCount(options.receiveEvent) !== 1 || // no array copy per message, unlike listeners()
      socket.listenersAny().length !== 0 ||
      !session.guardOf().admitsRaw(data)
    ) {
      return undefined;
    }
    const literal = data.slice(prefix.length, -1);
    const offset = this.recovery?.retainRaw(socket.id, options.replyEvent, literal);
    context.stats.echoes++;
    return offset === undefined ? `${replyPrefix}${literal}]` : `${replyPrefix}${literal},"${offset}"]`;
  }
}

/** engine.io's text of the packets the fast path reads and writes (made once per channel, with its FastEcho). */
function fastPathPrefixes(namespace: string, receiveEvent: string, replyEvent: string): { prefix: string; replyPrefix: string } {
  const nsp = namespacePart(namespace);
  return { prefix: `${PACKET.EVENT}${nsp}${eventStart(receiveEvent)},`, replyPrefix: `${PACKET.EVENT}${nsp}${eventStart(replyEvent)},` };
}

/**
 * No raw control character (JSON forbids them in a string): every UTF-16 unit from U+0020 up. Anchored
 * and run to the end, it takes a third of the time of searching for one (`/[\u0000-\u001f]/`): 18 µs
 * against 56 µs on 64 KB, the fast path's largest cost per byte.
 */
const NO_CONTROL = /^[\u0020-\uffff]*$/;
const ESCAPED = /^(?:[^"\\]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*$/;

/**
 * True when `text[start..end)` is exactly one JSON string literal that JSON.parse would accept,
 * followed by "]": quoted, no raw control characters, every quote escaped, only valid escapes.
 * Native searches and regular expressions, not a loop over characters: echoes can be 100 KB.
 */
export function isJsonStringLiteral(text: string, start: number, end: number): boolean {
  if (end - start < 2 || text.charCodeAt(start) !== 34 || text.charCodeAt(end - 1) !== 34 || text.charCodeAt(end) !== 93) return false;
  const body = text.slice(start + 1, end - 1);
  if (!NO_CONTROL.test(body)) return false;
  return (body.indexOf('"') === -1 && body.indexOf("\\") === -1) || ESCAPED.test(body);
}
