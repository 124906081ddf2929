// Origin policy for one page origin (--origin): what long-polling's CORS and the WebSocket handshake
// each answer. Browsers enforce CORS on long-polling only, so the two can disagree.
import { ENGINE } from "./engine-io.js";
import { failureOf } from "./failures.js";
import { cacheBuster, pollingHandshake, WebSocketLink } from "./links.js";
import { engineUrl } from "./target.js";
import { originVerdict, type OriginAnswer } from "./verdicts.js";
import type { CheckContext, CheckResult } from "./types.js";

export async function checkOrigin(ctx: CheckContext): Promise<CheckResult[]> {
  const origin = ctx.options.origin;
  if (!origin) return [originVerdict(undefined, undefined, undefined)];
  const polling = ctx.facts.pollingWorks ? await pollingAnswer(ctx, origin) : undefined;
  const websocket = ctx.facts.websocketWorks ? await websocketAnswer(ctx, origin) : undefined;
  return [originVerdict(origin, polling, websocket)];
}

async function pollingAnswer(ctx: CheckContext, origin: string): Promise<OriginAnswer> {
  const { target, budget, http } = ctx;
  try {
    const { reply, open } = await pollingHandshake(http, target, { origin, timeoutMs: budget.step("http") });
    if (open)
      void http
        .request("POST", engineUrl(target, "polling", { sid: open.sid, t: cacheBuster() }), { body: ENGINE.close, timeoutMs: budget.step("http") })
        .catch(() => {});
    const allowed = reply.headers["access-control-allow-origin"];
    if (reply.status === 200 && open) {
      if (allowed === origin || allowed === "*") return { state: "accepted", detail: `Access-Control-Allow-Origin: ${allowed}` };
      return {
        state: "refused",
        detail: allowed
          ? `HTTP 200 but Access-Control-Allow-Origin: ${allowed}, so the browser hides the answer`
          : "HTTP 200 without Access-Control-Allow-Origin, so the browser hides the answer",
      };
    }
    if (reply.status === 403 || reply.status === 400)
      return { state: "refused", detail: `HTTP ${reply.status}${reply.body ? ` ${reply.body.slice(0, 80)}` : ""}` };
    return { state: "unavailable", detail: `HTTP ${reply.status}` };
  } catch (error) {
    return { state: "unavailable", detail: failureOf(error, "http").message };
  }
}

async function websocketAnswer(ctx: CheckContext, origin: string): Promise<OriginAnswer> {
  try {
    const link = await WebSocketLink.connect(ctx.target, { origin, headers: ctx.http.cookieHeader(), timeoutMs: ctx.budget.step("websocket") });
    link.close();
    return { state: "accepted", detail: "upgraded, open packet received" };
  } catch (error) {
    const failure = failureOf(error, "websocket");
    if (failure.kind === "status")
      return { state: "refused", detail: `HTTP ${failure.status}${failure.engineError ? ` ${JSON.stringify(failure.engineError)}` : ""}` };
    if (failure.kind === "reset" || failure.kind === "closed") return { state: "refused", detail: failure.message };
    return { state: "unavailable", detail: failure.message };
  }
}
