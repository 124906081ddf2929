import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Request, Response } from "express";

export const BUNDLE_NAME = "echo-socket.js";

/**
 * Where the built standalone element lives: next to dist/server/ in the package, or in dist/ when
 * this file runs from source (tests, tsx). Looked up once, when the router is made.
 */
export function findElementBundle(): string | undefined {
  const candidates = [`../${BUNDLE_NAME}`, `../dist/${BUNDLE_NAME}`].map((relative) =>
    fileURLToPath(new URL(relative, import.meta.url)),
  );
  return candidates.find((file) => existsSync(file));
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
