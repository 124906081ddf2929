// engine.io v4 and socket.io v5 framing, spoken by hand so that each failure belongs to one step
// (socket.io-client retries and hides why). Only what the checks need: text packets, namespace "/".

/** engine.io packet types (the first character of a packet). */
export const ENGINE = { open: "0", close: "1", ping: "2", pong: "3", message: "4", upgrade: "5", noop: "6" } as const;

/** Packets in one long-polling body are separated by the record separator (engine.io v4). */
export const SEPARATOR = "\x1e";

/** What the server says in its open packet. */
export interface OpenPacket {
  sid: string;
  upgrades: string[];
  pingInterval: number;
  pingTimeout: number;
  maxPayload?: number;
}

/** The JSON engine.io answers a refused request with, e.g. `{"code":1,"message":"Session ID unknown"}`. */
export interface EngineError {
  code: number;
  message: string;
}

/** engine.io's error codes (engine.io/lib/server.ts `Server.errors`). */
export const ENGINE_ERRORS = {
  unknownTransport: 0,
  unknownSid: 1,
  badHandshakeMethod: 2,
  badRequest: 3,
  forbidden: 4,
  unsupportedProtocolVersion: 5,
} as const;

export function decodePayload(body: string): string[] {
  return body === "" ? [] : body.split(SEPARATOR);
}

export function encodePayload(packets: readonly string[]): string {
  return packets.join(SEPARATOR);
}

/** The longest delay a Node timer takes (2^31 − 1 ms); a longer one fires after 1 ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Whether `value` is a heartbeat setting a client can use: a whole number of ms from 1 to 2^31 − 1. */
const isHeartbeatMs = (value: unknown): value is number => typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= MAX_TIMER_MS;

/**
 * What is wrong with an open packet (`0{...}` with a sid) whose heartbeat settings no client can use,
 * such as `pingInterval: 0`, `-5000`, `1e999` or `1e12`; undefined when it is fine or not an open packet at all.
 */
export function openPacketProblem(packet: string | undefined): string | undefined {
  if (!packet?.startsWith(ENGINE.open)) return undefined;
  let open: Record<string, unknown>;
  try {
    open = JSON.parse(packet.slice(1)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (typeof open !== "object" || open === null || typeof open.sid !== "string") return undefined;
  const bad = (["pingInterval", "pingTimeout"] as const).filter((key) => !isHeartbeatMs(open[key]));
  if (!bad.length) return undefined;
  const shown = bad
    .map((key) => `${key} ${typeof open[key] === "number" ? String(open[key]) : (JSON.stringify(open[key]) ?? "missing").slice(0, 40)}`)
    .join(", ");
  return `${shown}: engine.io's open packet must give each as a whole number of milliseconds from 1 to ${MAX_TIMER_MS}`;
}

/** The open packet `packet` holds (`0{...}`), else undefined; heartbeat settings outside 1 ms .. 2^31 − 1 ms make it no open packet (see openPacketProblem). */
export function parseOpen(packet: string | undefined): OpenPacket | undefined {
  if (!packet?.startsWith(ENGINE.open)) return undefined;
  try {
    const open = JSON.parse(packet.slice(1)) as Partial<OpenPacket> | null;
    if (typeof open?.sid !== "string" || !isHeartbeatMs(open.pingInterval) || !isHeartbeatMs(open.pingTimeout)) return undefined;
    return {
      sid: open.sid,
      upgrades: Array.isArray(open.upgrades) ? open.upgrades.slice(0, 10).map(String) : [],
      pingInterval: open.pingInterval,
      pingTimeout: open.pingTimeout,
      maxPayload: typeof open.maxPayload === "number" && Number.isFinite(open.maxPayload) ? open.maxPayload : undefined,
    };
  } catch {
    return undefined;
  }
}

/** Most packets one long-polling answer may carry: a burst's echoes and more, far fewer than a flood. */
export const MAX_PAYLOAD_PACKETS = 25_000;

export function parseEngineError(body: string): EngineError | undefined {
  try {
    const value = JSON.parse(body) as Partial<EngineError>;
    return typeof value.code === "number" && typeof value.message === "string" ? { code: value.code, message: value.message } : undefined;
  } catch {
    return undefined;
  }
}

/** socket.io packet types, inside an engine.io message packet. */
export const SOCKET = { connect: 0, disconnect: 1, event: 2, ack: 3, connectError: 4, binaryEvent: 5, binaryAck: 6 } as const;

export interface SocketPacket {
  type: number;
  namespace: string;
  ackId?: number;
  data?: unknown;
}

/** The engine.io packet of a socket.io CONNECT to the main namespace. */
export const CONNECT_PACKET = `${ENGINE.message}${SOCKET.connect}`;

/** The engine.io packet of an event `[event, ...args]`, asking for an acknowledgement when `ackId` is given. */
export function eventPacket(event: string, args: readonly unknown[], ackId?: number): string {
  return `${ENGINE.message}${SOCKET.event}${ackId ?? ""}${JSON.stringify([event, ...args])}`;
}

/** The socket.io packet an engine.io message packet carries (`4<type>[n-][/nsp,][id][json]`), else undefined. */
export function parseSocketPacket(packet: string): SocketPacket | undefined {
  if (!packet.startsWith(ENGINE.message) || packet.length < 2) return undefined;
  const type = Number(packet[1]);
  if (!Number.isInteger(type) || type > 6) return undefined;
  let i = 2;
  if (type === SOCKET.binaryEvent || type === SOCKET.binaryAck) {
    const dash = packet.indexOf("-", i);
    if (dash < 0) return undefined;
    i = dash + 1;
  }
  let namespace = "/";
  if (packet[i] === "/") {
    const comma = packet.indexOf(",", i);
    namespace = comma < 0 ? packet.slice(i) : packet.slice(i, comma);
    i = comma < 0 ? packet.length : comma + 1;
  }
  const digits = /^\d*/.exec(packet.slice(i))![0];
  const ackId = digits === "" ? undefined : Number(digits);
  i += digits.length;
  if (i >= packet.length) return { type, namespace, ackId };
  try {
    return { type, namespace, ackId, data: JSON.parse(packet.slice(i)) };
  } catch {
    return undefined;
  }
}
