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

/** Serves one built file with conditional GET (ETag), short caching and the headers a cross-origin module script needs. */
export function serveBuiltFile(file: string, contentType: string) {
  return function echoSocketBundle(_req: Request, res: Response, next: (error?: unknown) => void): void {
    res.set({
      "Access-Control-Allow-Origin": "*",
      "Cross-Origin-Resource-Policy": "cross-origin",
      "X-Content-Type-Options": "nosniff",
    });
    res.sendFile(file, { maxAge: "5m", etag: true, lastModified: true, headers: { "Content-Type": contentType } }, (error) => {
      if (error && !res.headersSent) next(error);
    });
  };
}
