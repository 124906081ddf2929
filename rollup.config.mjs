// tsc compiles TypeScript to dist/; Rollup only bundles what tsc emitted.
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { nodeResolve } from "@rollup/plugin-node-resolve";
import terser from "@rollup/plugin-terser";
import { dts } from "rollup-plugin-dts";

const isBare = (id) => !id.startsWith(".") && !id.startsWith("/") && !id.startsWith("\0");

/** Prints each written file's gzip size, so a growing bundle shows up in every build. */
const printGzipSize = () => ({
  name: "print-gzip-size",
  writeBundle(options) {
    const bytes = gzipSync(readFileSync(options.file), { level: 9 }).length;
    console.log(`${options.file}: ${(bytes / 1024).toFixed(1)} KB gzip (${bytes} bytes)`);
  },
});

/**
 * Squeezes the whitespace out of our `css\`...\`` templates (the bundle's largest text of our own).
 * Safe rewrites only: runs of whitespace become one space, none is kept beside { } or ;, nor after : or ,.
 */
const minifyCss = () => ({
  name: "minify-css-templates",
  transform(code, id) {
    if (!id.includes("/dist/element/")) return null;
    const minified = code.replace(/\bcss\s*`([^`]*)`/g, (_match, text) =>
      `css\`${text.replace(/\s+/g, " ").replace(/\s*([{};])\s*/g, "$1").replace(/([:,]) /g, "$1").trim()}\``,
    );
    return minified === code ? null : { code: minified, map: null };
  },
});

/**
 * The element asks socket.io-client for polling and WebSocket only (see element/connection.ts), so
 * engine.io-client's WebTransport transport is dead weight in the standalone bundle.
 */
const dropWebTransport = () => ({
  name: "drop-webtransport",
  load(id) {
    return id.replaceAll("\\", "/").endsWith("engine.io-client/build/esm/transports/webtransport.js") ? "export const WT = undefined;" : null;
  },
});

export default [
  // CommonJS build of the server half, for `require("echo-socket/server")`.
  {
    input: "dist/server/index.js",
    external: isBare,
    output: { file: "dist/server/index.cjs", format: "cjs", sourcemap: true, exports: "named" },
  },
  // One declaration file for the CommonJS entry, so TypeScript sees CJS types there.
  {
    input: "dist/server/index.d.ts",
    external: isBare,
    plugins: [dts()],
    output: { file: "dist/server/index.d.cts", format: "cjs" },
  },
  // The standalone element: Lit and socket.io-client inside, one file for one <script> tag.
  // An IIFE with no import/export runs the same from <script src> and <script type="module" src>.
  {
    input: "dist/element/echo-socket.js",
    plugins: [minifyCss(), dropWebTransport(), nodeResolve({ browser: true }), terser({ ecma: 2020, compress: { passes: 3, pure_getters: true }, format: { comments: false } }), printGzipSize()],
    output: { file: "dist/echo-socket.js", format: "iife", sourcemap: true },
  },
];
