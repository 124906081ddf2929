/**
 * socket.io's text encoding (protocol v5), as far as echo-socket reads it before socket.io decodes
 * a packet: `<type>[<attachments>-][/<namespace>,][<ack id>]<JSON>`. It reads the head exactly as
 * socket.io-parser's `decodeString` does, leniencies included (an empty packet is a CONNECT to "/",
 * an ack id may hold whitespace), since a head read differently is a limit dodged. The JSON body is
 * never parsed here.
 */
export const PACKET = { CONNECT: 0, DISCONNECT: 1, EVENT: 2, ACK: 3, CONNECT_ERROR: 4, BINARY_EVENT: 5, BINARY_ACK: 6 } as const;

/** Ack ids longer than this are not a client's (socket.io-client counts from 0): the guard refuses them. */
const MAX_ACK_ID = 16;

export interface PacketHead {
  type: number;
  /** Binary attachments announced (BINARY_EVENT / BINARY_ACK), else 0. */
  attachments: number;
  namespace: string;
  /** The acknowledgement id as written (socket.io reads it with `Number()`), or undefined. */
  ackId: string | undefined;
  /** Where the JSON body starts. */
  bodyStart: number;
}

/** The packet type socket.io-parser reads from `text` (`Number` of its first character), or -1 for none. */
export function packetType(text: string): number {
  const type = Number(text.charAt(0));
  return Number.isInteger(type) && type >= PACKET.CONNECT && type <= PACKET.BINARY_ACK ? type : -1;
}

/** Reads the head of a socket.io text packet; undefined when socket.io would reject it or it is not a client's. */
export function readPacketHead(text: string): PacketHead | undefined {
  const type = packetType(text);
  if (type === -1) return undefined;
  let i = 0;
  let attachments = 0;
  if (type === PACKET.BINARY_EVENT || type === PACKET.BINARY_ACK) {
    const dash = text.indexOf("-", 1);
    if (dash === -1) return undefined;
    attachments = Number(text.slice(1, dash));
    if (!Number.isInteger(attachments) || attachments < 1) return undefined;
    i = dash;
  }
  let namespace = "/";
  if (text.charAt(i + 1) === "/") {
    const comma = text.indexOf(",", i + 1);
    const end = comma === -1 ? text.length : comma;
    namespace = text.slice(i + 1, end);
    i = end;
  }
  // socket.io-parser takes every following character that `Number()` reads as a number: digits and whitespace.
  let end = i + 1;
  while (end < text.length && isAckIdCharacter(text.charAt(end))) end++;
  if (end - (i + 1) > MAX_ACK_ID) return undefined;
  const ackId = end > i + 1 ? text.slice(i + 1, end) : undefined;
  return { type, attachments, namespace, ackId, bodyStart: end };
}

/** The namespace as it appears in a packet: nothing for the main namespace, else `/name,`. */
export function namespacePart(namespace: string): string {
  return namespace === "/" ? "" : `${namespace},`;
}

/** How an event's arguments array starts in a packet's JSON: `["event"`. */
export function eventStart(event: string): string {
  return `[${JSON.stringify(event)}`;
}

/** A BINARY_EVENT of `event` whose one argument is attachment 0 (the guard's stand-in for a message too large to read). */
export function standInPacket(namespace: string, ackId: string | undefined, event: string): string {
  return `${PACKET.BINARY_EVENT}1-${namespacePart(namespace)}${ackId ?? ""}${eventStart(event)},{"_placeholder":true,"num":0}]`;
}

/** A CONNECT_ERROR for `namespace`, as socket.io writes one: socket.io-client reports `message` as a `connect_error`. */
export function connectErrorPacket(namespace: string, message: string): string {
  return `${PACKET.CONNECT_ERROR}${namespacePart(namespace)}${JSON.stringify({ message })}`;
}

function isAckIdCharacter(character: string): boolean {
  return !Number.isNaN(Number(character));
}
