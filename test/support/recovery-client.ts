// The raw socket.io client for connection state recovery tests: it presents any pid and offset (as
// socket.io-client would, or forged), counts the echoes the server replays, and drops its transport
// in a way the server keeps the session for. Shared by the recovery limits tests (a server in the
// test's process) and the hostile corpus (a server in another process).
import { frame, OPCODE, RawWebSocket } from "./raw-websocket.js";

const ECHO = '42["echo",';
const READY = '42["echo-socket:ready"';
/** Only stops a hang: every wait below ends on what the server sends, long before this. */
const DEADLINE_MS = 10_000;

/** What socket.io-client presents in its CONNECT to recover a session. */
export interface Recovery {
  pid: string;
  offset: string;
}

export interface Visit {
  /** The socket.io session id: the same as before when the session was restored. */
  sid: string;
  pid: string;
  /** Echoes the server replayed on connecting: those received before the `echo-socket:ready` event. */
  replayed: number;
  /** The offset each echo of the messages sent carried, in order. */
  offsets: string[];
}

/**
 * One visit: connects (presenting `recovery`, if given, to restore a session), waits for the ready
 * event, sends `messages` messages and waits for their echoes, then drops the transport and resolves
 * once the server has seen it go (and kept the session, for a later visit to restore). Throws when
 * the server does not answer as socket.io does (no CONNECT reply, no ready event, missing echoes).
 */
export async function visit(port: number, recovery?: Recovery, messages = 0): Promise<Visit> {
  const ws = await RawWebSocket.connected(port, recovery ? { auth: { ...recovery } } : {});
  try {
    const { sid, pid } = ws.connectReply() ?? {};
    if (!sid || !pid) throw new Error(`no CONNECT reply with a sid and a pid (is connection state recovery on?); got ${JSON.stringify(ws.texts.slice(0, 3))}`);
    await ws.until(() => ws.ended || ready(ws) >= 0, DEADLINE_MS);
    const readyAt = ready(ws);
    if (readyAt < 0) throw new Error(`no echo-socket:ready event (the connection ${ws.ended ? "was closed" : "is still open"})`);
    const replayed = ws.texts.slice(0, readyAt).filter((text) => text.startsWith(ECHO)).length;
    const before = ws.count(ECHO);
    if (messages > 0) ws.write(Buffer.concat(Array.from({ length: messages }, (_, i) => frame(OPCODE.text, `42["ms","m${i}"]`))));
    await ws.until(() => ws.ended || ws.count(ECHO) >= before + messages, DEADLINE_MS);
    const echoes = ws.texts.filter((text) => text.startsWith(ECHO)).slice(before);
    if (echoes.length < messages)
      throw new Error(`${echoes.length} of ${messages} messages echoed (the connection ${ws.ended ? "was closed" : "is still open"})`);
    const offsets = echoes.map((text) => (JSON.parse(text.slice(2)) as unknown[]).at(-1) as string);
    await drop(ws);
    return { sid, pid, replayed, offsets };
  } finally {
    ws.destroy();
  }
}

/** The index of the ready event among the text frames received, or -1. */
const ready = (ws: RawWebSocket): number => ws.texts.findIndex((text) => text.startsWith(READY));

/**
 * Drops the transport the way a broken one drops, and resolves once the server has seen it go.
 * The client sends an engine.io ping, which a protocol 4 client never does: engine.io closes the
 * connection as a "transport error" (a reason connection state recovery keeps the session for, as it
 * does a lost TCP connection) and, in the same synchronous run, socket.io disconnects the socket and
 * keeps its session. So the server's close frame (or FIN) arriving means the server has seen it go,
 * whether it runs in this process or another, and nothing from this client can overtake it.
 */
async function drop(ws: RawWebSocket): Promise<void> {
  ws.sendText("2");
  if (!(await ws.until(() => ws.ended, DEADLINE_MS)))
    throw new Error("the server did not close the transport after an engine.io ping from a protocol 4 client");
  ws.destroy();
}
