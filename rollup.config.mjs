// tsc compiles TypeScript to dist/; Rollup only bundles what tsc emitted.
import { readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
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
 * The element asks socket.io-client for polling and WebSocket only (see client/connection.ts), so
 * engine.io-client's WebTransport transport is dead weight in the standalone bundle.
 */
const dropWebTransport = () => ({
  name: "drop-webtransport",
  load(id) {
    return id.replaceAll("\\", "/").endsWith("engine.io-client/build/esm/transports/webtransport.js") ? "export const WT = undefined;" : null;
  },
});

/**
 * The standalone element never hands its socket.io socket or manager to anyone (client/connection.ts
 * keeps them), so their API for other callers (catch-all listeners, emitWithAck, compress, volatile,
 * send, aliases; none used inside socket.io-client) is dead weight there. Fails the build if a method
 * is not found, so a socket.io-client update cannot silently change what is removed.
 */
const dropUnusedSocketMethods = () => {
  const unused = {
    "socket.io-client/build/esm/socket.js": ["disconnected", "send", "emitWithAck", "compress", "volatile", "onAny", "prependAny", "offAny", "listenersAny", "onAnyOutgoing", "prependAnyOutgoing", "offAnyOutgoing", "listenersAnyOutgoing"],
    "socket.io-client/build/esm/manager.js": ["connect", "disconnect"],
  };
  return {
    name: "drop-unused-socket-methods",
    transform(code, id) {
      const file = Object.keys(unused).find((name) => id.replaceAll("\\", "/").endsWith(name));
      if (!file) return null;
      let trimmed = code;
      for (const name of unused[file]) {
        // A method at class level: four spaces in, up to its closing brace four spaces in.
        const method = new RegExp(`\\n    (?:get )?${name}\\([^)]*\\) \\{\\n[\\s\\S]*?\\n    \\}\\n`);
        if (!method.test(trimmed)) this.error(`${file} has no method ${name} to drop: check dropUnusedSocketMethods`);
        trimmed = trimmed.replace(method, "\n");
      }
      return { code: trimmed, map: null };
    },
  };
};

/**
 * socket.io-client's entry attaches its exports to `io()` (`Object.assign(lookup, ...)`), which keeps
 * `io()`, its Manager cache and URL parser in any bundle; the element makes its Manager itself (see
 * client/connection.ts), so the standalone bundle drops that statement and, with it, all three.
 */
const dropIoLookup = () => ({
  name: "drop-io-lookup",
  transform(code, id) {
    if (!id.replaceAll("\\", "/").endsWith("socket.io-client/build/esm/index.js")) return null;
    const attach = /\nObject\.assign\(lookup, \{[^}]*\}\);\n/;
    if (!attach.test(code)) this.error("socket.io-client's entry no longer attaches its exports to lookup: check dropIoLookup");
    return { code: code.replace(attach, "\n"), map: null };
  },
});

/**
 * Each half's packages are optional peer dependencies (see README, "Install"): a server-only install
 * has no lit or socket.io-client, a browser one no express or socket.io server. Without this entry a
 * missing one fails at link time, before any code runs, as "Cannot find package"; the entry checks
 * first and names what is missing with the command that installs it, then loads the half
 * (`await import()` for ESM, `require()` for CommonJS). It re-exports the names `index.js` exports,
 * read from the build itself, so it cannot drift from the half's API; its types are `index.d.ts`'s.
 */
const CHECKED_ENTRIES = [
  { dir: "client", entry: "echo-socket/client", peers: ["socket.io-client"] },
  // socket.io-adapter comes with socket.io (a dependency of it): named only when socket.io is there without it.
  { dir: "server", entry: "echo-socket/server", peers: ["socket.io", "express", "socket.io-adapter"], comesWith: { "socket.io-adapter": "socket.io" } },
];

function peerCheck({ entry, peers, comesWith = {} }) {
  return `const missing = [];
const comesWith = ${JSON.stringify(comesWith)};
for (const name of ${JSON.stringify(peers)}) {
  if (missing.includes(comesWith[name])) continue;
  try {
    require.resolve(name);
  } catch (error) {
    if (error?.code === "MODULE_NOT_FOUND") missing.push(name);
  }
}
if (missing.length > 0) {
  const names = missing.length === 1 ? missing[0] : \`\${missing.slice(0, -1).join(", ")} and \${missing.at(-1)}\`;
  throw new Error(\`${entry} needs \${names}, optional peer dependenc\${missing.length === 1 ? "y" : "ies"} of echo-socket not installed here: npm install \${missing.join(" ")}\`);
}
`;
}

async function writeCheckedEntries() {
  for (const half of CHECKED_ENTRIES) {
    const names = Object.keys(await import(pathToFileURL(`dist/${half.dir}/index.js`).href)).sort();
    const header = `// ${half.entry}: checks its optional peer dependencies, then loads index. Written by rollup.config.mjs.\n`;
    writeFileSync(
      `dist/${half.dir}/entry.js`,
      `${header}import { createRequire } from "node:module";\nconst require = createRequire(import.meta.url);\n${peerCheck(half)}` +
        `export const {\n${names.map((name) => `  ${name},\n`).join("")}} = await import("./index.js");\n`,
    );
    writeFileSync(`dist/${half.dir}/entry.cjs`, `${header}"use strict";\n${peerCheck(half)}module.exports = require("./index.cjs");\n`);
  }
}

await writeCheckedEntries();

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
  // CommonJS build of the headless client, for `require("echo-socket/client")` in Node.
  {
    input: "dist/client/index.js",
    external: isBare,
    output: { file: "dist/client/index.cjs", format: "cjs", sourcemap: true, exports: "named" },
  },
  {
    input: "dist/client/index.d.ts",
    external: isBare,
    plugins: [dts()],
    output: { file: "dist/client/index.d.cts", format: "cjs" },
  },
  // The standalone element: Lit and socket.io-client inside, one file for one <script> tag.
  // An IIFE with no import/export runs the same from <script src> and <script type="module" src>.
  {
    input: "dist/element/define.js",
    plugins: [minifyCss(), dropWebTransport(), dropUnusedSocketMethods(), dropIoLookup(), nodeResolve({ browser: true }), terser({ ecma: 2020, compress: { passes: 3, pure_getters: true }, format: { comments: false } }), printGzipSize()],
    output: { file: "dist/echo-socket.js", format: "iife", sourcemap: true },
  },
];
