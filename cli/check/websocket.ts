// WebSocket, both ways socket.io-client uses it: the upgrade of a long-polling session (probe
// `2probe` → `3probe`, then `5`) and a direct WebSocket (`transports: ["websocket"]`).
import { CONNECT_PACKET, ENGINE, SOCKET, parseSocketPacket } from "./engine-io.js";
import { StepError, failureOf, type StepFailure } from "./failures.js";
import { statusError } from "./http-client.js";
import { WebSocketLink, connectWebSocket, pollingHandshake, type Link } from "./links.js";
import { engineUrl, shownPath } from "./target.js";
import { websocketVerdict } from "./verdicts.js";
import type { CheckContext, CheckResult } from "./types.js";

const isConnectReply = (packet: string): boolean => {
  const parsed = parseSocketPacket(packet);
  return parsed !== undefined && parsed.namespace === "/" && (parsed.type === SOCKET.connect || parsed.type === SOCKET.connectError);
};

/** Sends the CONNECT and waits for its reply; returns the reply packet. */
export async function socketConnect(link: Link, timeoutMs: number): Promise<string> {
  // Awaited together: a send that fails (or outlasts the wait) leaves no rejection unhandled.
  const [reply] = await Promise.all([link.waitFor(isConnectReply, timeoutMs, "the socket.io CONNECT reply"), link.send([CONNECT_PACKET], timeoutMs)]);
  return reply;
}

export async function checkUpgrade(ctx: CheckContext): Promise<CheckResult[]> {
  const { target, budget, http, facts } = ctx;
  const offered = facts.open?.upgrades.includes("websocket") ?? false;
  if (!facts.pollingWorks || !offered) return [websocketVerdict({ kind: "upgrade", pollingWorks: facts.pollingWorks, offered })];
  let stage = "long-polling handshake";
  let failure: StepFailure | undefined;
  let link: WebSocketLink | undefined;
  const started = performance.now();
  try {
    const { reply, open } = await pollingHandshake(http, target, { timeoutMs: budget.step("http") });
    if (!open) throw statusError(`GET ${shownPath(target, "polling")}`, reply);
    stage = "upgrade request";
    const opened = await connectWebSocket(engineUrl(target, "websocket", { sid: open.sid }), {
      headers: http.cookieHeader(),
      timeoutMs: budget.step("websocket"),
    });
    link = new WebSocketLink(opened, open);
    stage = "probe";
    await Promise.all([
      link.waitFor((p) => p === `${ENGINE.pong}probe`, budget.step("websocket"), "the probe's answer (3probe)"),
      link.send([`${ENGINE.ping}probe`]),
    ]);
    stage = "CONNECT over the upgraded WebSocket";
    await link.send([ENGINE.upgrade]);
    await socketConnect(link, budget.step("websocket"));
  } catch (error) {
    failure = failureOf(error, "websocket");
  } finally {
    link?.close();
  }
  return [websocketVerdict({ kind: "upgrade", pollingWorks: true, offered, stage, failure, ms: performance.now() - started })];
}

export async function checkDirectWebSocket(ctx: CheckContext): Promise<CheckResult[]> {
  const { target, budget, http, facts } = ctx;
  let stage = "upgrade request";
  let failure: StepFailure | undefined;
  let link: WebSocketLink | undefined;
  const started = performance.now();
  try {
    link = await WebSocketLink.connect(target, { headers: http.cookieHeader(), timeoutMs: budget.step("websocket") });
    facts.open ??= link.open;
    stage = "CONNECT";
    await socketConnect(link, budget.step("websocket"));
    facts.websocketWorks = true;
  } catch (error) {
    failure = failureOf(error, "websocket");
    if (error instanceof StepError && error.failure.step === "protocol") stage = "open packet";
  } finally {
    link?.close();
  }
  return [websocketVerdict({ kind: "direct", pollingWorks: facts.pollingWorks, offered: true, stage, failure, ms: performance.now() - started })];
}
