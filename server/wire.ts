/**
 * socket.io's text encoding (protocol v5), as far as echo-socket reads it before socket.io decodes
 * a packet: `<type>[<attachments>-][/<namespace>,][<ack id>]<JSON>`. Reading the head costs a few
 * character comparisons; the JSON body is never parsed here.
 */
export const PACKET = { CONNECT: 0, DISCONNECT: 1, EVENT: 2, ACK: 3, CONNECT_ERROR: 4, BINARY_EVENT: 5, BINARY_ACK: 6 } as const;

/** Longest ack id socket.io-parser reads is unbounded; anything past this many digits is not a real one. */
const MAX_ACK_DIGITS = 16;

export interface PacketHead {
  type: number;
  /** Binary attachments announced (BINARY_EVENT / BINARY_ACK), else 0. */
  attachments: number;
  namespace: string;
  /** The acknowledgement id, as written, or undefined. */
  ackId: string | undefined;
  /** Where the JSON body starts. */
  bodyStart: number;
}

/** Reads the head of a socket.io text packet; undefined when it is not one (socket.io will reject it). */
export function readPacketHead(text: string): PacketHead | undefined {
  const type = text.charCodeAt(0) - 48;
  if (!(type >= 0 && type <= 6)) return undefined;
  let i = 1;
  let attachments = 0;
  if (type === PACKET.BINARY_EVENT || type === PACKET.BINARY_ACK) {
    const dash = text.indexOf("-", i);
    if (dash === -1 || dash - i > MAX_ACK_DIGITS || !isDigits(text, i, dash)) return undefined;
    attachments = Number(text.slice(i, dash));
    i = dash + 1;
  }
  let namespace = "/";
  if (text.charCodeAt(i) === 47 /* / */) {
    const comma = text.indexOf(",", i);
    const end = comma === -1 ? text.length : comma;
    namespace = text.slice(i, end);
    i = comma === -1 ? end : end + 1;
  }
  const digitsStart = i;
  while (i < text.length && isDigit(text.charCodeAt(i))) i++;
  if (i - digitsStart > MAX_ACK_DIGITS) return undefined;
  const ackId = i > digitsStart ? text.slice(digitsStart, i) : undefined;
  return { type, attachments, namespace, ackId, bodyStart: i };
}

/** The namespace as it appears in a packet: nothing for the main namespace, else `/name,`. */
export function namespacePart(namespace: string): string {
  return namespace === "/" ? "" : `${namespace},`;
}

/** The text of an ACK packet carrying `args` (no binary in them). */
export function ackPacket(namespace: string, ackId: string, args: readonly unknown[]): string {
  return `${PACKET.ACK}${namespacePart(namespace)}${ackId}${JSON.stringify(args)}`;
}

/** The text of an EVENT packet carrying `event` and `args` (no binary, no ack). */
export function eventPacket(namespace: string, event: string, args: readonly unknown[]): string {
  return `${PACKET.EVENT}${namespacePart(namespace)}${JSON.stringify([event, ...args])}`;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function isDigits(text: string, from: number, to: number): boolean {
  if (from === to) return false;
  for (let i = from; i < to; i++) if (!isDigit(text.charCodeAt(i))) return false;
  return true;
}
