// What a hostile server or a tampered storage record hands the client: a restored record nested 200,000
// deep, megabytes of server text, an id-less echo once ids are announced, shutting_down on a connection
// that stays open. Outbox and parseStored on the manual clock; the server's text against real servers on port 0.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Server } from "socket.io";
import { afterEach, describe, expect, it } from "vitest";
import { MAX_REASON_LENGTH } from "../../client/cap.js";
import { EchoClient, MAX_RETRY_DELAY_MS, parseStored, type StatusEvent } from "../../client/index.js";
import type { MessageEntry } from "../../client/message-log.js";
import { Outbox } from "../../client/outbox.js";
import { MAX_STORED_DEPTH } from "../../client/unsent-store.js";
import type { AckReply } from "../../protocol/index.js";
import { ManualClock } from "./manual-clock.js";

const id = (n: number): string => `m${n}`;
/** JSON text of `depth` arrays, one inside the other, around 1. */
const nested = (depth: number): string => `${"[".repeat(depth)}1${"]".repeat(depth)}`;

function engine(transmit: (entry: MessageEntry) => void = () => {}) {
  const clock = new ManualClock();
  const wire: MessageEntry[] = [];
  const notices: Array<string | undefined> = [];
  const outbox = new Outbox(
    { maxQueued: 100, retries: 3 },
    {
      transmit: (entry) => {
        transmit(entry);
        wire.push(entry);
      },
      changed: () => {},
      notice: (text) => notices.push(text),
    },
    clock,
    { ratePerSecond: 800, burst: 1000, window: 32 },
  );
  return { clock, wire, notices, outbox };
}

describe("a restored record nested past the stack", () => {
  it("is dropped by parseStored (deeper than MAX_STORED_DEPTH), its valid siblings kept", () => {
    const text = `[{"messageId":"${id(1)}","data":"before"},{"messageId":"${id(2)}","data":${nested(200_000)}},{"messageId":"${id(3)}","data":"after"}]`;
    const { messages, dropped } = parseStored(text, 100);
    expect(messages.map(({ data }) => data)).toEqual(["before", "after"]);
    expect(dropped).toBe(1);
  });

  it(`keeps data inside ${MAX_STORED_DEPTH} arrays, not ${MAX_STORED_DEPTH + 1}, in data and in arguments`, () => {
    const record = (data: string, args = "[]") => `[{"messageId":"${id(1)}","data":${data},"args":${args}}]`;
    expect(parseStored(record(nested(MAX_STORED_DEPTH)), 10).messages).toHaveLength(1);
    expect(parseStored(record(nested(MAX_STORED_DEPTH + 1)), 10).messages).toHaveLength(0);
    expect(parseStored(record("1", `[${nested(MAX_STORED_DEPTH)}]`), 10).messages).toHaveLength(1);
    expect(parseStored(record("1", `[${nested(MAX_STORED_DEPTH + 1)}]`), 10).messages).toHaveLength(0);
  });

  it("a transmission that throws fails that message only: the rest still go out", () => {
    const { wire, outbox } = engine((entry) => {
      if (entry.data === "bad") throw new RangeError("Maximum call stack size exceeded");
    });
    const [before, bad, after] = outbox.restore([
      { messageId: id(1), data: "before" },
      { messageId: id(2), data: "bad" },
      { messageId: id(3), data: "after" },
    ]);
    expect(() => outbox.setConnected(true)).not.toThrow();
    expect(wire.map(({ data }) => data)).toEqual(["before", "after"]);
    expect([before!.state, bad!.state, after!.state]).toEqual(["sent", "failed", "sent"]);
    outbox.add("later");
    expect(wire.map(({ data }) => data)).toEqual(["before", "after", "later"]);
  });
});

describe("the delivery engine against a hostile server", () => {
  it("keeps a refusal's sentence capped in entry.reply and entry.reason", () => {
    const { outbox, notices, wire } = engine();
    outbox.setConnected(true);
    const entry = outbox.add("x")!;
    const message = "m".repeat(1_000_000);
    outbox.onAck(wire[0]!, 1, null, { ok: false, error: { code: "message_too_large", message } } as AckReply);
    const reply = entry.reply as { error: { message: string } };
    expect(reply.error.message.length).toBeLessThanOrEqual(MAX_REASON_LENGTH);
    expect(entry.reason!.length).toBeLessThanOrEqual(MAX_REASON_LENGTH);
    expect(notices[0]!.length).toBeLessThanOrEqual(MAX_REASON_LENGTH);
  });

  it("takes a null or odd acknowledgement without throwing", () => {
    const { outbox, wire } = engine();
    outbox.setConnected(true);
    outbox.add("x");
    outbox.add("y");
    expect(() => outbox.onAck(wire[0]!, 1, null, null as unknown as AckReply)).not.toThrow();
    expect(() => outbox.onAck(wire[1]!, 1, null, { ok: false, error: "no" } as unknown as AckReply)).not.toThrow();
  });

  it("does not match an echo without an id to a sent message once the server announced ids", () => {
    const { outbox } = engine();
    outbox.setConnected(true);
    outbox.serverEchoesIdsConfirmed();
    const entry = outbox.add("mine")!;
    expect(outbox.onEcho(["forged"])).toEqual({ duplicate: false });
    expect(entry.state).toBe("sent");
    expect(outbox.onEcho(["mine", { echoSocketId: entry.messageId }]).entry).toBe(entry);
  });

  it("still matches id-less echoes in order to a server that never announced ids", () => {
    const { outbox } = engine();
    outbox.setConnected(true);
    const entry = outbox.add("mine")!;
    expect(outbox.onEcho(["mine"]).entry).toBe(entry);
  });

  it("holds messages back after shutting_down on a connection that stays open for MAX_RETRY_DELAY_MS, not for ever", () => {
    const { clock, outbox, wire } = engine();
    outbox.setConnected(true);
    const entry = outbox.add("x")!;
    outbox.onAck(wire[0]!, 1, null, { ok: false, error: { code: "shutting_down", message: "bye" } } as AckReply);
    expect(entry.state).toBe("queued");
    clock.advance(MAX_RETRY_DELAY_MS - 1);
    expect(wire).toHaveLength(1);
    clock.advance(1);
    expect(wire).toHaveLength(2);
    expect(entry.state).toBe("sent");
  });
});

describe("server text entering the client (Node, real servers)", () => {
  const cleanup: Array<() => unknown> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });
  const HUGE = "x".repeat(1_000_000);

  async function server(setup: (io: Server) => void): Promise<string> {
    const http = createServer();
    const io = new Server(http);
    setup(io);
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    cleanup.push(() => new Promise((resolve) => io.close(() => resolve(undefined))));
    return `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  }

  function client(url: string): EchoClient {
    const made = new EchoClient({ url, autoConnect: false, socketOptions: { reconnection: false } });
    cleanup.push(() => made.close());
    return made;
  }

  it("caps a middleware rejection's message: the status error and the diagnosis's detail", async () => {
    const url = await server((io) => io.use((_socket, next) => next(new Error(HUGE))));
    const made = client(url);
    const failed = new Promise<StatusEvent>((resolve) => made.on("status", (event) => event.diagnosis && resolve(event)));
    made.connect();
    const event = await failed;
    expect(event.diagnosis?.code).toBe("rejected");
    expect(event.diagnosis!.detail!.length).toBeLessThanOrEqual(MAX_REASON_LENGTH);
    expect(event.diagnosis!.detail!.startsWith("xxx")).toBe(true);
    expect(event.error!.message.length).toBeLessThanOrEqual(MAX_REASON_LENGTH);
  });

  it("caps an echo-socket:error message before it becomes a notice", async () => {
    const url = await server((io) => io.on("connection", (socket) => socket.emit("echo-socket:error", { code: "x", message: HUGE })));
    const made = client(url);
    const notice = new Promise<string | undefined>((resolve) => made.on("notice", (event) => resolve(event.message)));
    made.connect();
    const message = await notice;
    expect(message!.length).toBeLessThanOrEqual(MAX_REASON_LENGTH);
    expect(message!.endsWith("…")).toBe(true);
  });

  it("sends a stored record's valid message after one nested 200,000 deep, with nothing else to wake it", async () => {
    const got: unknown[] = [];
    const url = await server((io) =>
      io.on("connection", (socket) =>
        socket.on("ms", (data: unknown, envelope: unknown, ack?: (reply: unknown) => void) => {
          got.push(data);
          socket.emit("echo", data, envelope);
          ack?.({ ok: true });
        }),
      ),
    );
    const text = `[{"messageId":"${id(1)}","data":${nested(200_000)}},{"messageId":"${id(2)}","data":"after"}]`;
    const made = new EchoClient({
      url,
      autoConnect: false,
      storage: {
        open(claimed) {
          claimed([text]);
          return { save() {}, close() {} };
        },
      },
    });
    cleanup.push(() => made.close());
    const echoed = new Promise<void>((resolve) => made.on("echo", (event) => event.data === "after" && resolve()));
    made.connect();
    await echoed;
    expect(got).toEqual(["after"]);
  });

  it("tells its storage how many messages to claim: maxQueued (the rest stay for a later opener)", async () => {
    const asked: Array<number | undefined> = [];
    const made = new EchoClient({
      url: "http://127.0.0.1:1",
      autoConnect: false,
      maxQueued: 7,
      socketOptions: { reconnection: false },
      storage: {
        open(_claimed, max) {
          asked.push(max);
          return { save() {}, close() {} };
        },
      },
    });
    cleanup.push(() => made.close());
    made.connect();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(asked).toEqual([7]);
  });
});
