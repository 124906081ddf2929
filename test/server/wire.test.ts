import { describe, expect, it } from "vitest";
import { ackPacket, eventPacket, readPacketHead } from "../../server/wire.js";

describe("readPacketHead", () => {
  it.each([
    ["0", { type: 0, attachments: 0, namespace: "/", ackId: undefined, bodyStart: 1 }],
    ['0{"token":"x"}', { type: 0, attachments: 0, namespace: "/", ackId: undefined, bodyStart: 1 }],
    ["0/echo,", { type: 0, attachments: 0, namespace: "/echo", ackId: undefined, bodyStart: 7 }],
    ["0/echo", { type: 0, attachments: 0, namespace: "/echo", ackId: undefined, bodyStart: 6 }],
    ['2["ms","x"]', { type: 2, attachments: 0, namespace: "/", ackId: undefined, bodyStart: 1 }],
    ['217["ms","x"]', { type: 2, attachments: 0, namespace: "/", ackId: "17", bodyStart: 3 }],
    ['2/echo,5["ms"]', { type: 2, attachments: 0, namespace: "/echo", ackId: "5", bodyStart: 8 }],
    ['51-["ms",{"_placeholder":true,"num":0}]', { type: 5, attachments: 1, namespace: "/", ackId: undefined, bodyStart: 3 }],
    ['610-/a,3[{"_placeholder":true,"num":0}]', { type: 6, attachments: 10, namespace: "/a", ackId: "3", bodyStart: 8 }],
    ["4/nope,{}", { type: 4, attachments: 0, namespace: "/nope", ackId: undefined, bodyStart: 7 }],
  ])("%s", (text, head) => {
    expect(readPacketHead(text)).toEqual(head);
  });

  it.each([["9x"], [""], ["x"], ["5-[]"], ["5x-[]"], ["51["], [`2${"9".repeat(17)}[]`], [`5${"9".repeat(17)}-[]`]])("%j is not a packet it reads", (text) => {
    expect(readPacketHead(text)).toBeUndefined();
  });
});

describe("packets written", () => {
  it("encodes ACK and EVENT packets as socket.io does, with the namespace only when it is not the main one", () => {
    expect(ackPacket("/", "12", [{ ok: false }])).toBe('312[{"ok":false}]');
    expect(ackPacket("/echo", "3", ["a"])).toBe('3/echo,3["a"]');
    expect(eventPacket("/", "echo-socket:error", [{ code: "x" }])).toBe('2["echo-socket:error",{"code":"x"}]');
    expect(eventPacket("/n", "e", [])).toBe('2/n,["e"]');
  });
});
