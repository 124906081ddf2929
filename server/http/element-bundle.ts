import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Request, Response } from "express";

export const BUNDLE_NAME = "echo-socket.js";
/** The composer and the round-trip chart, which the standalone element loads from beside itself when a page asks for them. */
export const EXTRAS_NAME = "echo-socket-extras.js";
/** What the element served here reads before connecting: the server's path and events. */
export const CONFIG_NAME = "config.json";

/**
 * Where the built standalone element lives: dist/ holds it beside server/, whether this code runs
 * from dist/server/http/ (ESM), dist/server/index.cjs (CJS) or server/http/ (tests, tsx). The
 * nearest of up to three parent folders with it, or their dist/, wins. Looked up once, when the router is made.
 */
export function findElementBundle(): string | undefined {
  for (const up of ["./", "../", "../../"]) {
    for (const candidate of [BUNDLE_NAME, `dist/${BUNDLE_NAME}`]) {
      const file = fileURLToPath(new URL(up + candidate, import.meta.url));
      if (existsSync(file)) return file;
    }
  }
  return undefined;
}

/**
 * Serves one built file with conditional GET (ETag), short caching and the headers a cross-origin
 * module script needs; `corsOrigin` picks the `Access-Control-Allow-Origin` for the request's origin.
 */
export function serveBuiltFile(file: string, contentType: string, corsOrigin: (origin: string | undefined) => string | undefined) {
  return function echoSocketBundle(req: Request, res: Response, next: (error?: unknown) => void): void {
    const allowOrigin = corsOrigin(req.get("origin"));
    res.removeHeader("X-Powered-By");
    res.set({ "Cross-Origin-Resource-Policy": "cross-origin", "X-Content-Type-Options": "nosniff" });
    if (allowOrigin) res.set("Access-Control-Allow-Origin", allowOrigin);
    if (allowOrigin !== "*") res.vary("Origin");
    res.sendFile(file, { maxAge: "5m", etag: true, lastModified: true, headers: { "Content-Type": contentType } }, (error) => {
      if (error && !res.headersSent) next(error);
    });
  };
}
