import { expect } from "@open-wc/testing";
import type { MessageEntry } from "../../client/message-log.js";
import type { AckReply } from "../../protocol/index.js";
import { Outbox } from "../../client/outbox.js";
import { Pacer } from "../../client/pacer.js";
import { MAX_RETRY_DELAY_MS, retryDelay } from "../../client/retry-delay.js";
import { ManualClock } from "./manual-clock.js";

const hostileRefusal = (retryAfterMs: unknown): AckReply => ({
  ok: false,
  error: { code: "rate_limited", message: "Slow down.", retryAfterMs: retryAfterMs as number },
});

/** An outbox on a manual clock whose transmissions are recorded, for the test to answer. */
function outboxOnClock(pacing = { ratePerSecond: 800, burst: 1000, window: 32 }) {
  const clock = new ManualClock();
  const sent: Array<{ entry: MessageEntry; attempt: number }> = [];
  const notices: Array<string | undefined> = [];
  const outbox = new Outbox(
    { maxQueued: 100, retries: 3 },
    { transmit: (entry, attempt) => sent.push({ entry, attempt }), changed: () => {}, notice: (text) => notices.push(text) },
    clock,
    pacing,
  );
  return { clock, sent, notices, outbox };
}

describe("retryDelay", () => {
  it("clamps a server's retryAfterMs to [100 ms, 60 s] and ignores nonsense", () => {
    expect(retryDelay(1e12)).to.equal(MAX_RETRY_DELAY_MS);
    expect(retryDelay(2 ** 31)).to.equal(60_000);
    expect(retryDelay(Infinity)).to.equal(60_000);
    expect(retryDelay(250)).to.equal(250);
    expect(retryDelay(0)).to.equal(100);
    expect(retryDelay(-5)).to.equal(1000);
    expect(retryDelay(-Infinity)).to.equal(1000);
    expect(retryDelay(NaN)).to.equal(1000);
    expect(retryDelay("5000")).to.equal(1000);
    expect(retryDelay(undefined)).to.equal(1000);
  });
});

describe("Pacer", () => {
  it("lets a burst through, then one token per 1000/rate ms, and never more than the window in flight", () => {
    const clock = new ManualClock();
    const pacer = new Pacer({ ratePerSecond: 100, burst: 3, window: 5 }, clock);
    expect([pacer.take(), pacer.take(), pacer.take()]).to.deep.equal([0, 0, 0]);
    expect(pacer.take()).to.equal(10); // the bucket is empty: 10 ms to the next token
    clock.advance(10);
    expect(pacer.take()).to.equal(0);
    clock.advance(1000);
    expect(pacer.take()).to.equal(0);
    expect(pacer.take()).to.equal(Infinity); // 5 in flight: wait for an answer, not for time
    pacer.release();
    expect(pacer.take()).to.equal(0);
    pacer.reset();
    expect(pacer.transmissionsInFlight).to.equal(0);
  });
});

describe("Outbox against a hostile server", () => {
  it("waits 60 s, not 0 ms, after a refusal with retryAfterMs 1e12, and re-sends once", () => {
    const { clock, sent, notices, outbox } = outboxOnClock();
    outbox.setConnected(true);
    outbox.add("x");
    expect(sent.length).to.equal(1);
    outbox.onAck(sent[0]!.entry, sent[0]!.attempt, null, hostileRefusal(1e12));
    expect(clock.delays).to.include(60_000);
    clock.advance(59_999);
    expect(sent.length, "nothing re-sent before 60 s").to.equal(1);
    expect(notices).to.deep.equal(["Slow down."]);
    clock.advance(1);
    expect(sent.length).to.equal(2);
    expect(notices.at(-1)).to.equal(undefined); // the notice clears once sending resumes
  });

  it("re-sends at most once per 100 ms to a server that refuses everything with retryAfterMs 0", () => {
    const { clock, sent, outbox } = outboxOnClock();
    outbox.setConnected(true);
    outbox.add("x");
    for (let ms = 0; ms < 1000; ms += 10) {
      const last = sent.at(-1)!;
      outbox.onAck(last.entry, last.attempt, null, hostileRefusal(0));
      clock.advance(10);
    }
    expect(sent.length).to.be.at.most(11);
  });

  it("fails a message on a refusal of unknown shape, with a short reason, and goes on", () => {
    const { sent, outbox } = outboxOnClock();
    outbox.setConnected(true);
    const entry = outbox.add("x")!;
    outbox.onAck(entry, 1, null, { ok: false, error: { code: 42, message: "m".repeat(100_000) } } as unknown as AckReply);
    expect(entry.state).to.equal("failed");
    expect(entry.reason!.length).to.be.at.most(300);
    outbox.add("y");
    expect(sent.map(({ entry }) => entry.data)).to.deep.equal(["x", "y"]);
  });

  it("paces 5,000 messages: a window in flight, then one more per answer, in typing order", () => {
    const { sent, outbox } = outboxOnClock({ ratePerSecond: 800, burst: 1000, window: 32 });
    outbox.setConnected(true);
    for (let i = 0; i < 5000; i++) outbox.add(i);
    expect(sent.length).to.equal(32);
    expect(outbox.queuedCount()).to.equal(4968);
    // The server answers and echoes each in turn.
    for (let answered = 0; answered < 1000; answered++) {
      const { entry, attempt } = sent[answered]!;
      outbox.onAck(entry, attempt, null, { ok: true, id: entry.messageId });
      outbox.onEcho([entry.data, { echoSocketId: entry.messageId }]);
    }
    expect(sent.length).to.equal(1000); // the burst of 1000 tokens is spent: the rest waits for time
    expect(sent.map(({ entry }) => entry.data)).to.deep.equal(Array.from({ length: 1000 }, (_, i) => i));
  });

  it("keeps to the rate once the burst is spent", () => {
    const { clock, sent, outbox } = outboxOnClock({ ratePerSecond: 800, burst: 10, window: 100_000 });
    outbox.setConnected(true);
    for (let i = 0; i < 2000; i++) outbox.add(i);
    expect(sent.length).to.equal(10);
    clock.advance(1000);
    expect(sent.length).to.be.within(809, 811);
    clock.advance(1000);
    expect(sent.length).to.be.within(1609, 1611);
  });
});
