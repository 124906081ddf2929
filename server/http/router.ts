import { Router, type NextFunction, type Request, type Response } from "express";
import type { EchoSocketHandle } from "../attach.js";
import { BUNDLE_NAME, CONFIG_NAME, EXTRAS_NAME, findElementBundle, serveBuiltFile } from "./element-bundle.js";
import { DEFAULT_ECHO_EVENT, DEFAULT_PATH, DEFAULT_SEND_EVENT } from "../../protocol/index.js";
import { optionError } from "../../protocol/option-error.js";
import { checkAllowedOrigins, originMatcher, type AllowedOrigins } from "../admission/origins.js";
import { checkBoolean, checkKnownKeys, checkOptionsObject } from "../options/validate.js";
import { metricsHandler } from "../metrics/handler.js";
import { echoSocketMetricsRegistry, registerEchoSocketMetrics, type MetricsRegistry } from "../metrics/prometheus.js";

/** Options of `echoSocketRouter()`. */
export interface RouterOptions {
  /**
   * The handle `attachEchoSocket()` returned; when given, health reports its connections and echoes,
   * and its `allowedOrigins` apply here unless this router is given its own.
   * @default undefined
   */
  handle: EchoSocketHandle | undefined;
  /**
   * Serve `GET /health` (JSON: status, uptime, and the handle's figures).
   * @default true
   */
  health: boolean;
  /**
   * Serve the standalone `<echo-socket>` bundle at `GET /echo-socket.js` (and its source map), the
   * composer and chart it loads on demand at `GET /echo-socket-extras.js`, and at `GET /config.json`
   * the handle's path and events, which the element served here reads before connecting.
   * @default true
   */
  element: boolean;
  /**
   * Page origins that may load the bundle as a module script (CORS): `"*"`, a list, or a function.
   * @default the handle's `allowedOrigins`, else "*"
   */
  allowedOrigins: AllowedOrigins | undefined;
  /**
   * Serve `GET /metrics` in the Prometheus text format (needs `handle`, and prom-client installed):
   * `true` for a registry of echo-socket's metrics and Node's default ones, or your prom-client
   * `Registry`, which gets echo-socket's metrics and is served whole.
   * @default false
   */
  metrics: boolean | MetricsRegistry;
}

export const ROUTER_DEFAULTS: Readonly<RouterOptions> = Object.freeze({
  handle: undefined,
  health: true,
  element: true,
  allowedOrigins: undefined,
  metrics: false,
});

/** Health as JSON. Deliberately small: nothing about the host, versions or clients. */
export interface HealthBody {
  /** "degraded" while a shared store is unreachable: echoes still flow, limits are per node. */
  status: "ok" | "degraded" | "error";
  /** Seconds since the router was created. */
  uptime: number;
  /** With a handle: figures summed over every node the socket.io adapter reaches. */
  connections?: number;
  echoes?: number;
  /** Nodes that reported (1 without a cluster or Redis adapter). */
  nodes?: number;
  /** Where shared state lives: "memory" or "redis". */
  store?: "memory" | "redis";
  error?: string;
}

/** Headers for a JSON endpoint nobody should sniff, frame, embed or cache. */
const JSON_HEADERS = {
  "Cache-Control": "no-store",
  "X-Content-Type-Options": "nosniff",
  "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
  "Cross-Origin-Resource-Policy": "same-origin",
};

/**
 * An Express router for echo-socket, mountable at any path (`app.use("/echo", echoSocketRouter())`).
 * Routes it does not serve fall through to the app.
 */
export function echoSocketRouter(options?: Partial<RouterOptions>): Router {
  const resolved = resolveRouterOptions(options);
  const router = Router();
  const routes: string[] = [];
  if (resolved.health) {
    router.get("/health", healthHandler(resolved.handle));
    routes.push("/health");
  }
  const bundle = resolved.element ? findElementBundle() : undefined;
  if (resolved.element && !bundle)
    throw new Error(`echo-socket: the element bundle ${BUNDLE_NAME} is missing; run \`npm run build\` or pass \`element: false\``);
  // Last of the checks, since it changes a registry the caller may own.
  if (resolved.metrics) {
    router.get("/metrics", metricsHandler(metricsRegistry(resolved.metrics, resolved.handle!)));
    routes.push("/metrics");
  }
  if (bundle) {
    const corsOrigin = corsOriginFor(resolved);
    router.get(`/${BUNDLE_NAME}`, serveBuiltFile(bundle, "text/javascript; charset=utf-8", corsOrigin));
    router.get(`/${BUNDLE_NAME}.map`, serveBuiltFile(`${bundle}.map`, "application/json; charset=utf-8", corsOrigin));
    const extras = bundle.slice(0, -BUNDLE_NAME.length) + EXTRAS_NAME;
    router.get(`/${EXTRAS_NAME}`, serveBuiltFile(extras, "text/javascript; charset=utf-8", corsOrigin));
    router.get(`/${EXTRAS_NAME}.map`, serveBuiltFile(`${extras}.map`, "application/json; charset=utf-8", corsOrigin));
    router.get(`/${CONFIG_NAME}`, configHandler(resolved.handle, corsOrigin));
    routes.push(`/${BUNDLE_NAME}`, `/${BUNDLE_NAME}.map`, `/${EXTRAS_NAME}`, `/${EXTRAS_NAME}.map`, `/${CONFIG_NAME}`);
  }
  if (routes.length > 0) router.all(routes, echoSocketOtherMethods);
  return router;
}

/**
 * The router's own paths answer only GET and HEAD: `OPTIONS` says so (204 with `Allow`), anything
 * else is 405, rather than falling through to whatever the app does with unknown requests.
 */
function echoSocketOtherMethods(req: Request, res: Response, next: NextFunction): void {
  if (req.method === "GET" || req.method === "HEAD") return next();
  res.removeHeader("X-Powered-By");
  res
    .set({ Allow: "GET, HEAD", "Cache-Control": "no-store" })
    .status(req.method === "OPTIONS" ? 204 : 405)
    .end();
}

/** Options once checked: `metrics` is the registry to serve, if any. */
type ResolvedRouterOptions = Omit<RouterOptions, "metrics"> & { metrics: boolean | MetricsRegistry };

function resolveRouterOptions(input: unknown): ResolvedRouterOptions {
  const given = checkOptionsObject("options", input);
  checkKnownKeys(given, Object.keys(ROUTER_DEFAULTS));
  const handle = given.handle;
  if (handle !== undefined && (typeof handle !== "object" || handle === null || typeof (handle as EchoSocketHandle).stats !== "function")) {
    throw optionError("handle", "must be the handle attachEchoSocket() returned", handle);
  }
  return {
    handle: handle as EchoSocketHandle | undefined,
    health: checkBoolean("health", given.health ?? ROUTER_DEFAULTS.health),
    element: checkBoolean("element", given.element ?? ROUTER_DEFAULTS.element),
    allowedOrigins: given.allowedOrigins === undefined ? undefined : checkAllowedOrigins("allowedOrigins", given.allowedOrigins),
    metrics: resolveMetrics(given.metrics ?? ROUTER_DEFAULTS.metrics, handle as EchoSocketHandle | undefined),
  };
}

/** `metrics` checked: false, true (a registry of its own) or the caller's registry. Nothing is registered yet. */
function resolveMetrics(value: unknown, handle: EchoSocketHandle | undefined): boolean | MetricsRegistry {
  if (value === false) return false;
  const isRegistry =
    typeof value === "object" && value !== null && ["metrics", "registerMetric"].every((key) => typeof (value as Record<string, unknown>)[key] === "function");
  if (value !== true && !isRegistry) throw optionError("metrics", "must be true, false or a prom-client Registry", value);
  if (!handle) throw optionError("metrics", "needs `handle` (the figures come from attachEchoSocket()'s handle)", value);
  return value as true | MetricsRegistry;
}

/** The registry to serve, with echo-socket's metrics registered in it. */
function metricsRegistry(metrics: true | MetricsRegistry, handle: EchoSocketHandle): MetricsRegistry {
  if (metrics === true) return echoSocketMetricsRegistry(handle);
  try {
    registerEchoSocketMetrics(handle, metrics);
  } catch (error) {
    // prom-client refuses a name registered twice: a second router (or attach) on the same registry.
    if (/already been registered/.test(String((error as Error)?.message))) {
      throw optionError("metrics", "already holds echo-socket's metrics: give each router its own registry", metrics);
    }
    throw error;
  }
  return metrics;
}

/**
 * The `Access-Control-Allow-Origin` value for a request's `Origin`: `*` when every origin may,
 * the origin itself when it is allowed, nothing otherwise.
 */
function corsOriginFor({ allowedOrigins, handle }: ResolvedRouterOptions): (origin: string | undefined) => string | undefined {
  const origins = allowedOrigins ?? handle?.allowedOrigins ?? "*";
  if (origins === "*") return () => "*";
  const allowed = originMatcher(origins);
  return (origin) => (origin !== undefined && allowed(origin) ? origin : undefined);
}

/** What `GET /config.json` answers: where and on which events the handle's server talks (the defaults without a handle). */
export interface ElementConfig {
  path: string;
  namespace: string;
  sendEvent: string;
  echoEvent: string;
}

/**
 * The server's path and events, for the element this router serves: `<script src=".../echo-socket.js">`
 * and a bare `<echo-socket>` work whatever `attachEchoSocket()` was given. Readable from any page the
 * bundle may load on (the bundle's CORS), never cached for long (a redeploy may change them).
 */
function configHandler(handle: EchoSocketHandle | undefined, corsOrigin: (origin: string | undefined) => string | undefined) {
  const config: ElementConfig = handle
    ? { path: handle.path, namespace: handle.namespace, sendEvent: handle.receiveEvent, echoEvent: handle.replyEvent }
    : { path: DEFAULT_PATH, namespace: "/", sendEvent: DEFAULT_SEND_EVENT, echoEvent: DEFAULT_ECHO_EVENT };
  return function echoSocketConfig(req: Request, res: Response): void {
    const allowOrigin = corsOrigin(req.get("origin"));
    res.removeHeader("X-Powered-By");
    res.set({ "Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff", "Cross-Origin-Resource-Policy": "cross-origin" });
    if (allowOrigin) res.set("Access-Control-Allow-Origin", allowOrigin);
    if (allowOrigin !== "*") res.vary("Origin");
    res.json(config);
  };
}

function healthHandler(handle: EchoSocketHandle | undefined) {
  const startedAt = Date.now();
  return function echoSocketHealth(_req: Request, res: Response): void {
    const body: HealthBody = { status: "ok", uptime: Math.round((Date.now() - startedAt) / 1000) };
    const reply = (): void => {
      res.removeHeader("X-Powered-By");
      res.set(JSON_HEADERS).json(body);
    };
    if (!handle) return reply();
    handle
      .clusterStats()
      .then(({ connections, echoes, nodes }) => {
        const store = handle.storeStatus();
        Object.assign(body, { connections, echoes, nodes, store: store.kind });
        // Still serving (each node falls back to its memory), so 200; the reason is in the logs.
        if (!store.ok) Object.assign(body, { status: "degraded", error: "shared store unreachable" });
        reply();
      })
      .catch(() => {
        // No stack trace or error page: the figures could not be read, say so.
        Object.assign(body, { status: "error", error: "figures unavailable" });
        res.status(503);
        reply();
      });
  };
}
