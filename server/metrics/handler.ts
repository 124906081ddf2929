import type { Request, Response } from "express";
import type { MetricsRegistry } from "./prometheus.js";

/** A scrape within this long of the last rendering gets that one: Prometheus scrapes every 15 s or so. */
export const METRICS_REUSE_MS = 1000;

/**
 * Serves `registry` at most one rendering a second (each costs 3-5 ms of CPU: a burst of scrapes
 * would otherwise cost that each, with no login in front of the route); scrapes that come while one
 * renders share it. A failure is a plain 503, not an error page with a stack trace. `now` is the clock.
 */
export function metricsHandler(registry: MetricsRegistry, now: () => number = performance.now.bind(performance)) {
  let last: { text: Promise<string>; at: number } | undefined;
  return function echoSocketMetrics(_req: Request, res: Response): void {
    if (!last || now() - last.at >= METRICS_REUSE_MS) {
      const rendering = { text: registry.metrics(), at: now() };
      rendering.text.catch(() => {
        if (last === rendering) last = undefined; // a failure is not reused
      });
      last = rendering;
    }
    res.removeHeader("X-Powered-By");
    res.set({ "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff" });
    last.text.then(
      (text) => void res.type(registry.contentType).send(text),
      () => void res.status(503).type("text/plain").send("metrics unavailable\n"),
    );
  };
}
