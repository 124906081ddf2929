// Scenario 6: what a page downloads, gzip -9: our element (with socket.io-client and Lit inside) vs
// the client script the tutorial's page loads from /socket.io/socket.io.js.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";

export interface BundleRow {
  file: string;
  bytes: number;
  gzipBytes: number;
}

const gzipped = (path: string): BundleRow => {
  const bytes = readFileSync(path);
  return { file: path, bytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length };
};

export function bundleSizes(): BundleRow[] {
  const require = createRequire(import.meta.url);
  // socket.io serves /socket.io/socket.io.js from its client-dist folder, next to its dist/ entry.
  const socketIoClient = join(dirname(require.resolve("socket.io")), "..", "client-dist", "socket.io.js");
  return [
    { ...gzipped(new URL("../../dist/echo-socket.js", import.meta.url).pathname), file: "dist/echo-socket.js (element + socket.io-client + Lit)" },
    { ...gzipped(socketIoClient), file: "/socket.io/socket.io.js (the tutorial's client script)" },
  ];
}
