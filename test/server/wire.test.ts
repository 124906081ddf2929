import { describe, expect, it } from "vitest";
import { Decoder } from "socket.io-parser";
import { packetType, readPacketHead, standInPacket } from "../../server/messages/wire.js";

/** What socket.io-parser itself reads from `text`: type, namespace, ack id, attachments; or undefined when it throws. */
function parsed(text: string): { type: number; namespace: string; ackId: number | undefined; attachments: number } | undefined {
  const decoder = new Decoder();
  let packet: { type: number; nsp: string; id?: number; attachments?: number } | undefined;
  decoder.on("decoded", (decoded: typeof packet) => void (packet = decoded));
  try {
    decoder.add(text);
  } catch {
    return undefined;
  }
  // A binary packet waits for its attachments; its head is on the reconstructor.
  const pending = (decoder as unknown as { reconstructor?: { reconPack: typeof packet } }).reconstructor?.reconPack;
  const head = packet ?? pending;
  if (!head) return undefined;
  const binary = pending !== undefined;
  return { type: binary ? head.type + 3 : head.type, namespace: head.nsp, ackId: head.id, attachments: head.attachments ?? 0 };
}

describe("readPacketHead reads a head as socket.io-parser does", () => {
  it.each([
    "0",
    "",
    " ",
    "\t",
    '0{"token":"x"}',
    "0/echo,",
    "0/echo",
    '0/echo,{"pid":"p","offset":"o"}',
    '2["ms","x"]',
    '217["ms","x"]',
    '2/echo,5["ms"]',
    '2 1["ms",1]',
    '21 ["ms",1]',
    '2\t7["ms",1]',
    '2 ["ms",1]',
    '2\u00a03["ms",1]',
    '51-["ms",{"_placeholder":true,"num":0}]',
    '63-/a,3[{"_placeholder":true,"num":0}]',
    '5 2-["ms",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]',
    '50x2-["ms",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]',
    '51e0-["ms",{"_placeholder":true,"num":0}]',
    "4/nope,{}",
    '3/echo,12["ok"]',
    "1",
    "1/echo,",
  ])("%j", (text) => {
    const ours = readPacketHead(text);
    const theirs = parsed(text);
    if (!theirs) return; // socket.io rejects it: the guard may read it or not (it closes on what it cannot read)
    expect(ours, "the guard must read every head socket.io accepts").toBeDefined();
    expect({
      type: ours!.type,
      namespace: ours!.namespace,
      ackId: ours!.ackId === undefined ? undefined : Number(ours!.ackId),
      attachments: ours!.attachments,
    }).toEqual(theirs);
  });

  it.each([["9x"], ["x"], ["5-[]"], ["5x-[]"], ["51["], [`2${"9".repeat(17)}[]`]])("%j is not a packet it reads", (text) => {
    expect(readPacketHead(text)).toBeUndefined();
  });

  it("takes an empty packet, or one starting with whitespace, for a CONNECT, as socket.io does", () => {
    expect([packetType(""), packetType(" "), packetType("\n")]).toEqual([0, 0, 0]);
    expect(parsed("")?.type).toBe(0);
    expect(packetType("x")).toBe(-1);
  });
});

describe("the stand-in packet", () => {
  it("decodes as the receive event with one attachment, on the same namespace and ack id", () => {
    expect(parsed(standInPacket("/", "12", "ms"))).toEqual({ type: 5, namespace: "/", ackId: 12, attachments: 1 });
    expect(parsed(standInPacket("/echo", " 3", "ms"))).toEqual({ type: 5, namespace: "/echo", ackId: 3, attachments: 1 });
    expect(parsed(standInPacket("/", undefined, "ms"))).toEqual({ type: 5, namespace: "/", ackId: undefined, attachments: 1 });
  });
});
