// Heartbeat: the server's pingInterval and pingTimeout from its open packet, and with --hold an idle
// connection kept open (answering pings) to catch a proxy whose idle timeout is shorter.
import { MAX_TIMER_MS } from "./engine-io.js";
import { failureOf } from "./failures.js";
import { PollingLink, WebSocketLink, type Link } from "./links.js";
import { socketConnect } from "./websocket.js";
import { heartbeatVerdict, type HoldObservation } from "./verdicts.js";
import type { CheckContext, CheckResult } from "./types.js";

/** A connection for the checks that need one: WebSocket when it works, else long-polling. */
export async function openLink(ctx: CheckContext): Promise<Link> {
  const { target, budget, http, facts } = ctx;
  if (facts.websocketWorks) return WebSocketLink.connect(target, { headers: http.cookieHeader(), timeoutMs: budget.step("websocket") });
  const link = await PollingLink.connect(http, target, budget.step("http"));
  link.startPolling();
  return link;
}

export async function checkHeartbeat(ctx: CheckContext): Promise<CheckResult[]> {
  const holdMs = ctx.options.holdSeconds * 1000;
  if (!holdMs || !ctx.facts.open) return [heartbeatVerdict(ctx.facts.open, undefined)];
  const transport = ctx.facts.websocketWorks ? "websocket" : "polling";
  let link: Link | undefined;
  try {
    link = await openLink(ctx);
    await socketConnect(link, ctx.budget.step(transport === "websocket" ? "websocket" : "http"));
  } catch (error) {
    link?.close();
    return [
      heartbeatVerdict(ctx.facts.open, { transport, holdMs, heldMs: 0, pings: 0, failure: failureOf(error, transport === "websocket" ? "websocket" : "http") }),
    ];
  }
  const hold = await holdIdle(link, Math.min(holdMs, ctx.budget.remaining()));
  link.close();
  return [heartbeatVerdict(link.open, { transport, holdMs, ...hold })];
}

/** Keeps `link` idle for `holdMs`, answering pings; ends early on a close, or on a ping overdue by the server's own measure. */
export function holdIdle(link: Link, holdMs: number): Promise<Omit<HoldObservation, "transport" | "holdMs">> {
  const { pingInterval, pingTimeout } = link.open;
  const started = performance.now();
  // socket.io-client gives up on a server after pingInterval + pingTimeout without a ping: so does this.
  const overdueMs = pingInterval + pingTimeout;
  return new Promise((resolve) => {
    let lastPing = started;
    let pings = link.pings;
    const finish = (result: Omit<HoldObservation, "transport" | "holdMs">): void => {
      clearTimeout(holdTimer);
      clearInterval(watch);
      stopClose();
      resolve(result);
    };
    const holdTimer = setTimeout(() => finish({ heldMs: performance.now() - started, pings: link.pings }), Math.min(Math.max(0, holdMs), MAX_TIMER_MS));
    const watch = setInterval(
      () => {
        const now = performance.now();
        if (link.pings !== pings) {
          pings = link.pings;
          lastPing = now;
        } else if (now - lastPing > overdueMs) {
          finish({ heldMs: now - started, pings: link.pings, silentMs: now - lastPing });
        }
      },
      Math.max(20, Math.min(250, pingInterval / 4)),
    );
    const stopClose = link.onClose((close) => finish({ heldMs: performance.now() - started, pings: link.pings, close }));
    if (link.closed) finish({ heldMs: 0, pings: link.pings, close: link.closed });
  });
}
