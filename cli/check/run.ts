// The check command: every check in order, each feeding what it learned to the next, within one
// bound; a timeout makes the runner ask whether the server still answers at all, and if it does not,
// the remaining checks are skipped with the reason instead of each waiting out its own timeout.
import { Budget, runBoundMs } from "./budget.js";
import { checkEcho } from "./echo.js";
import { failureOf, seconds } from "./failures.js";
import { STALLED_FIX } from "./fixes.js";
import { checkHeartbeat } from "./heartbeat.js";
import { HttpClient } from "./http-client.js";
import { WebSocketLink, cacheBuster, pollingHandshake } from "./links.js";
import { checkOrigin } from "./origin.js";
import { checkPolling } from "./polling.js";
import { checkReachable } from "./reachable.js";
import { engineUrl, makeTarget } from "./target.js";
import { checkDirectWebSocket, checkUpgrade } from "./websocket.js";
import { ENGINE } from "./engine-io.js";
import type { CheckContext, CheckName, CheckOptions, CheckResult, Figures } from "./types.js";

export interface CheckReport {
  url: string;
  path: string;
  ok: boolean;
  exitCode: 0 | 1;
  elapsedMs: number;
  boundMs: number;
  options: { origin: string | null; send: string; reply: string; messages: number; holdSeconds: number; timeoutSeconds: number };
  server: Figures;
  checks: CheckResult[];
}

const STEPS: Array<{ names: CheckName[]; run: (ctx: CheckContext) => Promise<CheckResult[]> }> = [
  { names: ["reachable"], run: checkReachable },
  { names: ["polling"], run: checkPolling },
  { names: ["upgrade"], run: checkUpgrade },
  { names: ["websocket"], run: checkDirectWebSocket },
  { names: ["origin"], run: checkOrigin },
  { names: ["heartbeat"], run: checkHeartbeat },
  { names: ["echo", "extras"], run: checkEcho },
];

/** Runs every check against `options.url`; `onResult` sees each result as it is decided. */
export async function runCheck(options: CheckOptions, onResult: (result: CheckResult) => void = () => {}): Promise<CheckReport> {
  const started = performance.now();
  const stepMs = options.timeoutSeconds * 1000;
  const boundMs = runBoundMs(stepMs, options.holdSeconds * 1000);
  const target = makeTarget(new URL(options.url), options.path);
  const http = new HttpClient(target);
  const ctx: CheckContext = {
    target,
    options,
    budget: new Budget(stepMs, boundMs),
    http,
    facts: { pollingWorks: false, pollingOff: false, websocketWorks: false },
  };
  const checks: CheckResult[] = [];
  let notRun: string | undefined;
  const report = (result: CheckResult): void => {
    checks.push(result);
    onResult(result);
  };
  try {
    for (const step of STEPS) {
      if (notRun) {
        for (const name of step.names) report({ name, verdict: "skip", detail: `not run: ${notRun}` });
        continue;
      }
      let results: CheckResult[];
      try {
        results = await step.run(ctx);
      } catch (error) {
        const failure = failureOf(error, "protocol");
        results = step.names.map((name) => ({
          name,
          verdict: "fail",
          detail: failure.kind === "budget" ? failure.message : `the check broke: ${failure.message}`,
        }));
      }
      if (ctx.budget.remaining() <= 0) notRun = `the run reached its bound of ${seconds(boundMs)}`;
      if (step.names[0] === "reachable" && results[0]!.verdict === "fail") notRun = "the server is not reachable";
      const timedOut = results.find((result) => result.timedOut);
      if (timedOut && !notRun && step.names[0] !== "reachable" && !(await answers(ctx))) {
        timedOut.detail += `; a new handshake got no answer within ${seconds(ctx.budget.stepMs)} either`;
        timedOut.fix = STALLED_FIX;
        notRun = `the server stopped answering during "${timedOut.name}"`;
      }
      results.forEach(report);
    }
  } finally {
    http.close();
  }
  const ok = checks.every((check) => check.verdict !== "fail");
  const open = ctx.facts.open;
  const extras = checks.find((check) => check.name === "extras")?.figures;
  return {
    url: options.url,
    path: target.path,
    ok,
    exitCode: ok ? 0 : 1,
    elapsedMs: Math.round(performance.now() - started),
    boundMs,
    options: {
      origin: options.origin ?? null,
      send: options.send,
      reply: options.reply,
      messages: options.messages,
      holdSeconds: options.holdSeconds,
      timeoutSeconds: options.timeoutSeconds,
    },
    server: open
      ? {
          pingInterval: open.pingInterval,
          pingTimeout: open.pingTimeout,
          maxPayload: open.maxPayload ?? null,
          upgrades: open.upgrades,
          echoSocket: extras?.echoSocket === true,
        }
      : {},
    checks: checks.map(({ timedOut: _timedOut, ...check }) => check),
  };
}

/** Whether the server still answers a fresh handshake within one step timeout. */
async function answers(ctx: CheckContext): Promise<boolean> {
  if (ctx.budget.remaining() <= 0) return false;
  const ms = Math.min(ctx.budget.stepMs, ctx.budget.remaining());
  try {
    if (ctx.facts.pollingWorks || !ctx.facts.websocketWorks) {
      const { reply, open } = await pollingHandshake(ctx.http, ctx.target, { timeoutMs: ms });
      if (open)
        void ctx.http
          .request("POST", engineUrl(ctx.target, "polling", { sid: open.sid, t: cacheBuster() }), { body: ENGINE.close, timeoutMs: ms })
          .catch(() => {});
      return reply.status > 0;
    }
    (await WebSocketLink.connect(ctx.target, { timeoutMs: ms })).close();
    return true;
  } catch {
    return false;
  }
}
