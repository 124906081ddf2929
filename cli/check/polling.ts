// Long-polling: the handshake, then one session over ~20 consecutive requests. A request answered
// "Session ID unknown" reached a node that does not hold the session: no sticky sessions.
import { CONNECT_PACKET, ENGINE, ENGINE_ERRORS, SOCKET, decodePayload, encodePayload, parseEngineError, parseSocketPacket } from "./engine-io.js";
import { failureOf, type StepFailure } from "./failures.js";
import { statusError } from "./http-client.js";
import { cacheBuster } from "./links.js";
import { engineUrl, shownPath } from "./target.js";
import { pollingVerdict } from "./verdicts.js";
import type { CheckContext, CheckResult } from "./types.js";

/** Requests on the session, the handshake included. */
export const SESSION_REQUESTS = 20;

export async function checkPolling(ctx: CheckContext): Promise<CheckResult[]> {
  const { reply, open } = ctx.facts.handshake!;
  if (!open) {
    const off = reply.status === 400 && parseEngineError(reply.body)?.code === ENGINE_ERRORS.unknownTransport;
    ctx.facts.pollingOff = off;
    return [pollingVerdict({ pollingOff: true, planned: SESSION_REQUESTS, answered: 0 })];
  }
  const { target, budget, http } = ctx;
  const url = (): string => engineUrl(target, "polling", { sid: open.sid, t: cacheBuster() });
  let answered = 1;
  let failedRequest: string | undefined;
  let failure: StepFailure | undefined;
  // The CONNECT, one GET for its reply, then harmless noop packets: each request must find the session.
  const plan: Array<"POST connect" | "GET" | "POST noop"> = ["POST connect", "GET", ...Array<"POST noop">(SESSION_REQUESTS - 3).fill("POST noop")];
  try {
    for (const request of plan) {
      failedRequest =
        request === "GET" ? "GET, reading the CONNECT reply" : request === "POST connect" ? "POST of the socket.io CONNECT" : "POST of a noop packet";
      const method = request === "GET" ? "GET" : "POST";
      const body = request === "POST connect" ? CONNECT_PACKET : request === "POST noop" ? encodePayload([ENGINE.noop]) : undefined;
      const answer = await http.request(method, url(), { body, timeoutMs: budget.step("http") });
      if (answer.status !== 200) throw statusError(`${method} ${shownPath(target, "polling")}&sid=${open.sid}`, answer);
      if (request === "GET") readConnectReply(ctx, decodePayload(answer.body));
      answered++;
    }
  } catch (error) {
    failure = failureOf(error, "http");
  } finally {
    // Free the session now rather than at the server's next ping.
    if (!failure) await http.request("POST", url(), { body: ENGINE.close, timeoutMs: budget.step("http") }).catch(() => {});
  }
  ctx.facts.pollingWorks = !failure;
  return [pollingVerdict({ open, pollingOff: false, planned: SESSION_REQUESTS, answered, failedRequest, failure })];
}

/** Keeps the socket.io CONNECT reply (or CONNECT_ERROR) among `packets` for the echo check. */
export function readConnectReply(ctx: CheckContext, packets: readonly string[]): boolean {
  for (const packet of packets) {
    const parsed = parseSocketPacket(packet);
    if (parsed?.type === SOCKET.connect && parsed.namespace === "/") {
      ctx.facts.connectReply = (parsed.data ?? {}) as Record<string, unknown>;
      return true;
    }
    if (parsed?.type === SOCKET.connectError && parsed.namespace === "/") {
      const data = parsed.data as { message?: unknown } | undefined;
      ctx.facts.connectError = typeof data?.message === "string" ? data.message : JSON.stringify(parsed.data);
      return true;
    }
  }
  return false;
}
