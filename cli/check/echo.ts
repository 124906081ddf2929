// Echo: round trips one at a time (RTT), then a burst (throughput, order, loss), on the configured
// events; and echo-socket's extras, reported when present and never required: the ready event,
// connection state recovery, acknowledgements, de-duplication by id and refusal codes.
import { randomBytes } from "node:crypto";
import { ERROR_EVENT, READY_EVENT, envelope } from "../../protocol/index.js";
import { SOCKET, eventPacket, parseSocketPacket } from "./engine-io.js";
import { StepError, failureOf, timeoutFailure } from "./failures.js";
import { openLink } from "./heartbeat.js";
import type { Link } from "./links.js";
import { socketConnect } from "./websocket.js";
import { echoVerdict, extrasVerdict, type EchoObservation, type ExtrasObservation } from "./verdicts.js";
import type { CheckContext, CheckResult } from "./types.js";

/** The echo phase's own bound, in step timeouts. */
const ECHO_STEPS = 6;
/** Most bytes of packets in one long-polling POST of the burst. */
const POST_BYTES = 64 * 1024;
/** Distinct refusal codes kept by name; others (and codes that do not look like one) are counted as "other". */
export const MAX_REFUSAL_CODES = 20;
const REFUSAL_CODE = /^[a-z_]{1,40}$/;
export const OTHER_REFUSALS = "other";

/** Counts a refusal by its code, in a bounded map: a server can send any number of distinct codes. */
export function countRefusal(refusals: Record<string, number>, code: string): void {
  const known = Object.hasOwn(refusals, code);
  const key = known || (REFUSAL_CODE.test(code) && code !== OTHER_REFUSALS && Object.keys(refusals).length < MAX_REFUSAL_CODES) ? code : OTHER_REFUSALS;
  refusals[key] = (refusals[key] ?? 0) + 1;
}

export async function checkEcho(ctx: CheckContext): Promise<CheckResult[]> {
  const { options, facts, budget } = ctx;
  const transport = facts.websocketWorks ? "websocket" : facts.pollingWorks ? "polling" : undefined;
  const step = transport === "websocket" ? "websocket" : "http";
  const o: EchoObservation = {
    transport,
    send: options.send,
    reply: options.reply,
    planned: 2 * options.messages,
    sent: 0,
    echoed: 0,
    mismatched: 0,
    outOfOrder: 0,
    rtts: [],
    refusals: Object.create(null) as Record<string, number>,
    otherEvents: [],
    waitMs: budget.stepMs,
  };
  const extras: ExtrasObservation = { recoveryPid: false, offsets: false, refusalCodes: [] };
  const results = (): CheckResult[] => {
    extras.refusalCodes = Object.keys(o.refusals);
    return [echoVerdict(o), extrasVerdict(extras, READY_EVENT)];
  };
  if (!transport) return results();

  let link: Link | undefined;
  try {
    link = await openLink(ctx);
  } catch (error) {
    o.failure = failureOf(error, step);
    return results();
  }
  const runId = randomBytes(4).toString("hex");
  const prefix = `echo-socket check ${runId} `;
  const text = (i: number | string): string => `${prefix}${i}`;
  const echoedAt = new Map<number, number>();
  const waiters = new Map<number, () => void>();
  const acks = new Map<number, (data: unknown) => void>();
  const otherEvents = new Set<string>();
  let highest = -1;
  let onBurstEcho = (): void => {};

  link.onPacket((packet) => {
    const parsed = parseSocketPacket(packet);
    if (parsed?.namespace !== "/") return;
    if (parsed.type === SOCKET.ack && parsed.ackId !== undefined) {
      const args = Array.isArray(parsed.data) ? parsed.data : [];
      const first = args[0] as { ok?: unknown; error?: { code?: unknown } } | undefined;
      if (first?.ok === false && typeof first.error?.code === "string") countRefusal(o.refusals, first.error.code);
      acks.get(parsed.ackId)?.(first);
      return;
    }
    if (parsed.type !== SOCKET.event || !Array.isArray(parsed.data)) return;
    const [event, ...args] = parsed.data as [unknown, ...unknown[]];
    if (event === READY_EVENT) {
      extras.ready = args[0];
      return;
    }
    if (event === ERROR_EVENT) {
      const code = (args[0] as { code?: unknown } | undefined)?.code;
      if (typeof code === "string") countRefusal(o.refusals, code);
      return;
    }
    if (event !== options.reply) {
      if (typeof event === "string" && otherEvents.size < 10) otherEvents.add(event.slice(0, 80));
      return;
    }
    const data = args[0];
    if (typeof data !== "string" || !data.startsWith(prefix)) return; // another client's message, on a broadcasting server
    if (data === text("probe")) return; // the delivery probe's echoes: not round trips
    if (args.length >= 2 && typeof args[args.length - 1] === "string") extras.offsets = true;
    const index = Number(data.slice(prefix.length));
    if (!Number.isInteger(index) || index < 0 || index >= o.planned || data !== text(index)) {
      o.mismatched++;
      return;
    }
    if (echoedAt.has(index)) return;
    echoedAt.set(index, performance.now());
    o.echoed++;
    if (index < highest) o.outOfOrder++;
    highest = Math.max(highest, index);
    waiters.get(index)?.();
    onBurstEcho();
  });

  const waitEcho = (index: number, ms: number): Promise<void> =>
    new Promise((resolve, reject) => {
      if (echoedAt.has(index)) return resolve();
      const what = `the echo of message ${index + 1}`;
      const closed = (reason: string): StepError => new StepError({ step, kind: "closed", message: `${what}: the connection closed (${reason})` });
      if (link.closed) return reject(closed(link.closed.reason));
      const done = (): void => {
        clearTimeout(timer);
        waiters.delete(index);
        stopClose();
      };
      const timer = setTimeout(() => {
        done();
        reject(new StepError(timeoutFailure(step, what, ms)));
      }, ms);
      const stopClose = link.onClose((close) => {
        done();
        reject(closed(close.reason));
      });
      waiters.set(index, () => {
        done();
        resolve();
      });
    });

  try {
    const connectReply = parseSocketPacket(await socketConnect(link, budget.step(step)));
    if (connectReply?.type === SOCKET.connectError) {
      const data = connectReply.data as { message?: unknown } | undefined;
      o.connectError = typeof data?.message === "string" ? data.message : JSON.stringify(connectReply.data);
      return results();
    }
    const reply = connectReply?.data as { pid?: unknown } | undefined;
    extras.recoveryPid = typeof reply?.pid === "string";

    const phaseEnd = performance.now() + Math.min(ECHO_STEPS * budget.stepMs, budget.remaining());
    // One at a time: round-trip times.
    for (let i = 0; i < options.messages; i++) {
      if (performance.now() >= phaseEnd) break;
      const sentAt = performance.now();
      // Both awaited together: a send that fails (or outlasts the wait) leaves no rejection unhandled.
      const echoed = waitEcho(i, Math.min(budget.step(step), Math.max(1, phaseEnd - sentAt)));
      const sent = link.send([eventPacket(options.send, [text(i)])], budget.step(step)).then(() => {
        o.sent++;
      });
      await Promise.all([echoed, sent]);
      o.rtts.push(echoedAt.get(i)! - sentAt);
    }
    // A burst, all in flight at once: throughput, order and loss.
    if (o.sent === options.messages && performance.now() < phaseEnd) {
      const first = options.messages;
      const last = 2 * options.messages;
      const started = performance.now();
      let burstTimer: NodeJS.Timeout | undefined;
      const all = new Promise<void>((resolve, reject) => {
        const ms = Math.min(budget.step(step), Math.max(1, phaseEnd - started));
        const timer = setTimeout(() => reject(new StepError(timeoutFailure(step, "the burst's echoes", ms))), ms);
        burstTimer = timer;
        onBurstEcho = () => {
          if (o.echoed >= last) {
            clearTimeout(timer);
            resolve();
          }
        };
        onBurstEcho();
      });
      // Handled now: the sends below may fail first, and `all` is awaited only after them.
      all.catch(() => {});
      const packets = Array.from({ length: last - first }, (_, k) => eventPacket(options.send, [text(first + k)]));
      o.burst = { messages: last - first, echoed: 0, ms: 0 };
      try {
        for (const batch of batches(packets, link.transport === "polling" ? POST_BYTES : 1)) {
          await link.send(batch, budget.step(step));
          o.sent += batch.length;
        }
        await all;
      } finally {
        clearTimeout(burstTimer);
        const lastEcho = Math.max(...[...echoedAt.entries()].filter(([i]) => i >= first).map(([, at]) => at), started);
        o.burst.echoed = [...echoedAt.keys()].filter((i) => i >= first).length;
        o.burst.ms = lastEcho - started;
      }
    }
    // echo-socket's acknowledgements and de-duplication, only on a server that announced itself.
    if (extras.ready !== undefined) await probeDelivery(link, ctx, acks, extras, text("probe"), step);
  } catch (error) {
    o.failure = failureOf(error, step);
  } finally {
    link.close();
  }
  o.otherEvents = [...otherEvents];
  return results();
}

/** Sends one message with an id twice, asking for acknowledgements: the second should be recognised. */
async function probeDelivery(
  link: Link,
  ctx: CheckContext,
  acks: Map<number, (data: unknown) => void>,
  extras: ExtrasObservation,
  data: string,
  step: "websocket" | "http",
): Promise<void> {
  const id = `check-${randomBytes(8).toString("base64url")}`;
  const ask = async (ackId: number): Promise<unknown> => {
    const ms = ctx.budget.step(step);
    const answer = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => reject(new StepError(timeoutFailure(step, "an acknowledgement", ms))), ms);
      acks.set(ackId, (value) => {
        clearTimeout(timer);
        resolve(value);
      });
    });
    // Awaited together: a failed send leaves no rejection unhandled.
    const [value] = await Promise.all([answer, link.send([eventPacket(ctx.options.send, [data, envelope(id)], ackId)], ms)]);
    return value;
  };
  try {
    extras.ack = await ask(1);
    extras.duplicateAck = await ask(2);
  } catch {
    // No acknowledgement: an extra missing, not a failure.
  }
}

function* batches(packets: string[], maxBytes: number): Generator<string[]> {
  let batch: string[] = [];
  let bytes = 0;
  for (const packet of packets) {
    if (batch.length && bytes + packet.length > maxBytes) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(packet);
    bytes += packet.length + 1;
  }
  if (batch.length) yield batch;
}
