import { Router, type Request, type Response } from "express";
import type { EchoSocketHandle } from "./attach.js";
import { BUNDLE_NAME, findElementBundle, serveBuiltFile } from "./element-bundle.js";
import { optionError } from "./errors.js";
import { checkBoolean, checkKnownKeys, checkOptionsObject } from "./validate.js";

/** Options of `echoSocketRouter()`. */
export interface RouterOptions {
  /**
   * The handle `attachEchoSocket()` returned; when given, health reports its connections and echoes.
   * @default undefined
   */
  handle: EchoSocketHandle | undefined;
  /**
   * Serve `GET /health` (JSON: status, uptime, and the handle's figures).
   * @default true
   */
  health: boolean;
  /**
   * Serve the standalone `<echo-socket>` bundle at `GET /echo-socket.js` (and its source map).
   * @default true
   */
  element: boolean;
}

export const ROUTER_DEFAULTS: Readonly<RouterOptions> = Object.freeze({
  handle: undefined,
  health: true,
  element: true,
});

/** Health as JSON. Deliberately small: nothing about the host, versions or clients. */
export interface HealthBody {
  status: "ok";
  /** Seconds since the router was created. */
  uptime: number;
  connections?: number;
  echoes?: number;
}

/**
 * An Express router for echo-socket, mountable at any path (`app.use("/echo", echoSocketRouter())`).
 * Routes it does not serve fall through to the app.
 */
export function echoSocketRouter(options?: Partial<RouterOptions>): Router {
  const resolved = resolveRouterOptions(options);
  const router = Router();
  if (resolved.health) router.get("/health", healthHandler(resolved.handle));
  if (resolved.element) {
    const bundle = findElementBundle();
    if (!bundle) throw new Error(`echo-socket: the element bundle ${BUNDLE_NAME} is missing; run \`npm run build\` or pass \`element: false\``);
    router.get(`/${BUNDLE_NAME}`, serveBuiltFile(bundle, "text/javascript; charset=utf-8"));
    router.get(`/${BUNDLE_NAME}.map`, serveBuiltFile(`${bundle}.map`, "application/json; charset=utf-8"));
  }
  return router;
}

function resolveRouterOptions(input: unknown): RouterOptions {
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
  };
}

function healthHandler(handle: EchoSocketHandle | undefined) {
  const startedAt = Date.now();
  return function echoSocketHealth(_req: Request, res: Response): void {
    const body: HealthBody = { status: "ok", uptime: Math.round((Date.now() - startedAt) / 1000) };
    if (handle) {
      const { connections, echoes } = handle.stats();
      Object.assign(body, { connections, echoes });
    }
    res.set("Cache-Control", "no-store").json(body);
  };
}
