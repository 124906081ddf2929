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
    const minified = code.replace(
      /\bcss\s*`([^`]*)`/g,
      (_match, text) =>
        `css\`${text
          .replace(/\s+/g, " ")
          .replace(/\s*([{};])\s*/g, "$1")
          .replace(/([:,]) /g, "$1")
          .replace(/;}/g, "}")
          .replace(/([ :(])0\./g, "$1.")
          .trim()}\``,
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
    "socket.io-client/build/esm/socket.js": [
      "disconnected",
      "send",
      "emitWithAck",
      "compress",
      "volatile",
      "onAny",
      "prependAny",
      "offAny",
      "listenersAny",
      "onAnyOutgoing",
      "prependAnyOutgoing",
      "offAnyOutgoing",
      "listenersAnyOutgoing",
    ],
    // The option accessors, which only the constructor calls: it sets their fields itself (see exactRewrites).
    "socket.io-client/build/esm/manager.js": [
      "connect",
      "disconnect",
      "reconnection",
      "reconnectionAttempts",
      "reconnectionDelay",
      "randomizationFactor",
      "reconnectionDelayMax",
      "timeout",
    ],
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

/**
 * engine.io-client parses the server's address with a 1 KB regular expression written for runtimes
 * without `URL`; every browser the element supports has it. Only the fields engine.io-client reads.
 */
const urlParseUri = () => ({
  name: "url-parseuri",
  load(id) {
    if (!id.replaceAll("\\", "/").endsWith("engine.io-client/build/esm/contrib/parseuri.js")) return null;
    return `export function parse(str) {
  const url = new URL(/^[a-z]+:\\/\\//i.test(str) ? str : "http://" + str);
  return { host: url.hostname.replace(/^\\[|\\]$/g, ""), port: url.port, protocol: url.protocol.slice(0, -1), query: url.search.slice(1) };
}`;
  },
});

/**
 * engine.io-client's long-polling over XMLHttpRequest, for the browsers the element supports and the
 * options it sets: the same requests (GET polls, POSTs of `text/plain;charset=UTF-8`, `Accept` any,
 * `withCredentials` and `requestTimeout` as asked), the same errors (`xhr poll error` / `xhr post error`
 * with the HTTP status and the request as context, a tick later) and the same detaching of pending
 * requests on `pagehide`; without its event emitter per request, its Internet Explorer fallbacks, Node's
 * options (extra headers, cookie jar, TLS) or the timer indirection a request object needed.
 */
const compactXhr = () => ({
  name: "compact-xhr",
  load(id) {
    if (!id.replaceAll("\\", "/").endsWith("engine.io-client/build/esm/transports/polling-xhr.js")) return null;
    return `import { Polling } from "./polling.js";
const requests = new Set();
addEventListener("pagehide", () => {
  for (const xhr of requests) xhr.onreadystatechange = null;
  requests.clear();
});
export class XHR extends Polling {
  doPoll() {
    this.request(undefined, (xhr) => this.onData(xhr.responseText), "xhr poll error");
  }
  doWrite(data, done) {
    this.request(data, done, "xhr post error");
  }
  request(data, done, reason) {
    const xhr = new XMLHttpRequest();
    const detach = () => {
      xhr.onreadystatechange = null;
      requests.delete(xhr);
    };
    const fail = (error) =>
      this.setTimeoutFn(() => {
        this.onError(reason, error, xhr);
        detach();
        xhr.abort();
      }, 0);
    try {
      xhr.open(data === undefined ? "GET" : "POST", this.uri(), true);
      if (data !== undefined) xhr.setRequestHeader("Content-type", "text/plain;charset=UTF-8");
      xhr.setRequestHeader("Accept", "*/*");
      xhr.withCredentials = this.opts.withCredentials;
      if (this.opts.requestTimeout) xhr.timeout = this.opts.requestTimeout;
      xhr.onreadystatechange = () => {
        if (xhr.readyState !== 4) return;
        if (xhr.status === 200 || xhr.status === 1223) {
          done(xhr);
          detach();
        } else fail(xhr.status);
      };
      xhr.send(data === undefined ? null : data);
    } catch (error) {
      fail(error);
      return;
    }
    requests.add(xhr);
  }
}`;
  },
});

/** engine.io-parser's base64 decoder (binary over long-polling), as the browser's own `atob`. */
const atobBase64 = () => ({
  name: "atob-base64",
  load(id) {
    if (!id.replaceAll("\\", "/").endsWith("engine.io-parser/build/esm/contrib/base64-arraybuffer.js")) return null;
    return `export const decode = (base64) => Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)).buffer;`;
  },
});

/**
 * The standalone element loads its composer (element/extras.ts) on demand from beside itself, as
 * `echo-socket-extras.js`, rather than carrying it: `loadExtras()` imports that URL.
 */
const extrasFromScriptUrl = () => ({
  name: "extras-from-script-url",
  load(id) {
    if (!id.replaceAll("\\", "/").endsWith("/dist/element/load-extras.js")) return null;
    return `import { scriptUrl } from "./script-origin.js";
export const loadExtras = () => import(new URL("echo-socket-extras.js", scriptUrl() ?? location.href).href);`;
  },
});

/**
 * Code the standalone element never runs, emptied: engine.io-client's probe for upgrading a long-polling
 * connection to WebSocket (the element starts with WebSocket, and once WebSocket failed or was blocked
 * it keeps long-polling: client/connection.ts), and socket.io-client's queue for its `retries` option
 * (never set: the delivery engine re-sends). Fails the build if a method is not found.
 */
const stubUnusedMethods = () => {
  const unused = {
    "socket.io-client/build/esm/socket.js": ["_addToQueue", "_drainQueue"],
    "engine.io-client/build/esm/socket.js": ["_probe", "_filterUpgrades"],
  };
  return {
    name: "stub-unused-methods",
    transform(code, id) {
      const file = Object.keys(unused).find((name) => id.replaceAll("\\", "/").endsWith(name));
      if (!file) return null;
      let trimmed = code;
      for (const name of unused[file]) {
        const method = new RegExp(`\\n    ${name}\\(([^)]*)\\) \\{\\n[\\s\\S]*?\\n    \\}\\n`);
        if (!method.test(trimmed)) this.error(`${file} has no method ${name} to stub: check stubUnusedMethods`);
        trimmed = trimmed.replace(method, `\n    ${name}() {}\n`);
      }
      return { code: trimmed, map: null };
    },
  };
};

/**
 * Collapses the whitespace of our `html\`...\`` templates (indentation, line breaks) to one space, and
 * drops it between tags: what the browser renders is the same (none of them holds a <pre> or a textarea's text).
 */
const minifyHtml = () => ({
  name: "minify-html-templates",
  transform(code, id) {
    if (!id.includes("/dist/element/")) return null;
    const minified = code
      .replace(/\bhtml`([^`]*)`/g, (_match, text) => `html\`${text.replace(/>\s+</g, "><").replace(/\s+/g, " ")}\``)
      // tsc writes \`html \`\` (a space), and a template holding another ends the match above at its first
      // backtick: so also a line break and its indentation between a tag, an expression or a backtick and
      // the next one, which only template text has, becomes one space (what HTML renders of it anyway).
      .replace(/([>}`])\n\s*(?=<|`|\$\{)/g, "$1 ");
    return minified === code ? null : { code: minified, map: null };
  },
});

/**
 * Exact rewrites of code the standalone element never runs, in packages it bundles; the build fails
 * when one is not found (an update changed it: check it again). Lit's reactive controllers, static
 * initializers and decorator metadata (the element uses none), socket.io-client's catch-all listeners
 * (their `onAny` API is dropped above) and its error text for a socket.io v2 server, in short, and
 * engine.io-client's options the element never sets (closeOnBeforeunload, extraHeaders, a cookie jar and
 * the TLS options: Node's and React Native's) and its Internet Explorer fallbacks.
 */
const exactRewrites = () => {
  const rewrites = {
    "@lit/reactive-element/reactive-element.js": [
      [
        "addController(t){(this._$EO??=new Set).add(t),void 0!==this.renderRoot&&this.isConnected&&t.hostConnected?.()}removeController(t){this._$EO?.delete(t)}",
        "",
      ],
      [",this._$EO?.forEach(t=>t.hostConnected?.())", ""],
      ["disconnectedCallback(){this._$EO?.forEach(t=>t.hostDisconnected?.())}", "disconnectedCallback(){}"],
      ["this._$EO?.forEach(t=>t.hostUpdate?.()),", ""],
      ["this._$EO?.forEach(t=>t.hostUpdated?.()),", ""],
      ["static addInitializer(t){this._$Ei(),(this.l??=[]).push(t)}", ""],
      [",this.constructor.l?.forEach(t=>t(this))", ""],
      ["void 0!==t.l&&(this.l=[...t.l]),", ""],
      ["const t=this[Symbol.metadata];if(null!==t){const s=litPropertyMetadata.get(t);if(void 0!==s)for(const[t,i]of s)this.elementProperties.set(t,i)}", ""],
      ['Symbol.metadata??=Symbol("metadata"),a.litPropertyMetadata??=new WeakMap;', ""],
      // The `useDefault` property option and accessor decorators' `wrapped` properties: neither is used.
      ["this.prototype.hasOwnProperty(t)&&((s=Object.create(s)).wrapped=!0),", ""],
      ["||i.useDefault&&i.reflect&&h===this._$Ej?.get(t)&&!this.hasAttribute(r._$Eu(t,i))", ""],
      [
        "C(t,s,{useDefault:i,reflect:e,wrapped:h},r){i&&!(this._$Ej??=new Map).has(t)&&(this._$Ej.set(t,r??s??this[t]),!0!==h||void 0!==r)||(this._$AL.has(t)||(this.hasUpdated||i||(s=void 0),this._$AL.set(t,s)),!0===e&&this._$Em!==t&&(this._$Eq??=new Set).add(t))}",
        "C(t,s){this._$AL.has(t)||(this.hasUpdated||(s=void 0),this._$AL.set(t,s))}",
      ],
      // Reflecting a property to its attribute (no property of the element has `reflect`), and the
      // Object and Array attribute types (its attributes are strings, numbers and booleans).
      [
        "_$ET(t,s){const i=this.constructor.elementProperties.get(t),e=this.constructor._$Eu(t,i);if(void 0!==e&&!0===i.reflect){const h=(void 0!==i.converter?.toAttribute?i.converter:u).toAttribute(s,i.type);this._$Em=t,null==h?this.removeAttribute(e):this.setAttribute(e,h),this._$Em=null}}",
        "",
      ],
      ["update(t){this._$Eq&&=this._$Eq.forEach(t=>this._$ET(t,this[t])),this._$EM()}", "update(t){this._$EM()}"],
      ["toAttribute(t,s){switch(s){case Boolean:t=t?l:null;break;case Object:case Array:t=null==t?t:JSON.stringify(t)}return t},", ""],
      [";break;case Object:case Array:try{i=JSON.parse(t)}catch(t){i=null}}return i}", "}return i}"],
      ["this[e]=r??this._$Ej?.get(e)??r", "this[e]=r"],
      [
        "const t=this.constructor.elementProperties;if(t.size>0)for(const[s,i]of t){const{wrapped:t}=i,e=this[s];!0!==t||this._$AL.has(s)||void 0===e||this.C(s,void 0,i,e)}",
        "",
      ],
      // Hooks for the ShadyDOM polyfills (the element needs native shadow DOM) and Lit's registry of
      // loaded versions (read by Lit's development build only, to warn that several are loaded).
      [",p=a.reactiveElementPolyfillSupport", ""],
      [',p?.({ReactiveElement:y}),(a.reactiveElementVersions??=[]).push("2.1.2")', ""],
    ],
    "@lit/reactive-element/css-tag.js": [
      ["(void 0===t.ShadyCSS||t.ShadyCSS.nativeShadow)&&", ""],
      // Thrown only for a value interpolated into css`` that is not css (the element's styles are fixed).
      [
        `"Value passed to 'css' function must be a 'css' function result: "+t+". Use 'unsafeCSS' to pass non-literal values, but take care to ensure page security."`,
        '"not css: "+t',
      ],
    ],
    "lit-html/lit-html.js": [
      [',B=t.litHtmlPolyfillSupport;B?.(S,k),(t.litHtmlVersions??=[]).push("3.3.3");', ";"],
      // Directives: none of the element's templates (nor the extras') holds one, so resolving a value
      // is the value itself (what this function returns for anything that is not a directive).
      [
        "function M(t,i,s=t,e){if(i===E)return i;let h=void 0!==e?s._$Co?.[e]:s._$Cl;const o=a(i)?void 0:i._$litDirective$;return h?.constructor!==o&&(h?._$AO?.(!1),void 0===o?h=void 0:(h=new o(t),h._$AT(t,s,e)),void 0!==e?(s._$Co??=[])[e]=h:s._$Cl=h),void 0!==h&&(i=M(t,h._$AS(t,i.values),h,e)),i}",
        "function M(t,i){return i}",
      ],
      // The svg`` and mathml`` template kinds (every template here is html``, the chart's <svg> too),
      ['l=2===i?"<svg>":3===i?"<math>":""', 'l=""'],
      ['+(2===i?"</svg>":3===i?"</math>":"")', ""],
      [
        "if(this.el=S.createElement(f,e),P.currentNode=this.el.content,2===i||3===i){const t=this.el.content.firstChild;t.replaceWith(...t.childNodes)}",
        "this.el=S.createElement(f,e),P.currentNode=this.el.content;",
      ],
      // element bindings (`<p ${...}>`: none), and async directives' connection state (no directive at all).
      ["else t.startsWith(o)&&(d.push({type:6,index:l}),r.removeAttribute(t))", ""],
      [":6===r.type&&(i=new Z(h,this,t))", ":0"],
      ["setConnected(t){void 0===this._$AM&&(this._$Cv=t,this._$AP?.(t))}", ""],
    ],
    "lit-element/lit-element.js": [
      // ... and the hook for hydrating server-rendered elements (the element renders in the browser only).
      [",s.litElementHydrateSupport?.({LitElement:i});const o=s.litElementPolyfillSupport;o?.({LitElement:i});", ";"],
      ['(s.litElementVersions??=[]).push("4.2.2");', ""],
      [",this._$Do?.setConnected(!0)", ""],
      [",this._$Do?.setConnected(!1)", ""],
    ],
    "engine.io-client/build/esm/socket.js": [
      ["            if (this.opts.closeOnBeforeunload) {\n", "            if (false) {\n"],
      ["\"specifying both 'transportImplementations' and 'transports' options is not supported\"", '"transportImplementations or transports"'],
      // Upgrading (the probe is stubbed: see stubUnusedMethods): no transports to probe, nothing to wait for.
      ["        this._upgrades = [];\n", ""],
      ["        this._upgrades = this._filterUpgrades(data.upgrades);\n", ""],
      [
        '        if ("open" === this.readyState && this.opts.upgrade) {\n            for (let i = 0; i < this._upgrades.length; i++) {\n                this._probe(this._upgrades[i]);\n            }\n        }\n',
        "",
      ],
      [
        '        const cleanupAndClose = () => {\n            this.off("upgrade", cleanupAndClose);\n            this.off("upgradeError", cleanupAndClose);\n            close();\n        };\n        const waitForUpgrade = () => {\n            // wait for upgrade to finish since we can\'t send packets while pausing a transport\n            this.once("upgrade", cleanupAndClose);\n            this.once("upgradeError", cleanupAndClose);\n        };\n',
        "",
      ],
      [
        '                this.once("drain", () => {\n                    if (this.upgrading) {\n                        waitForUpgrade();\n                    }\n                    else {\n                        close();\n                    }\n                });',
        '                this.once("drain", close);',
      ],
      ["            else if (this.upgrading) {\n                waitForUpgrade();\n            }\n", ""],
      // `rememberUpgrade` (never set) and what it reads.
      [
        '        const transportName = this.opts.rememberUpgrade &&\n            Socket.priorWebsocketSuccess &&\n            this.transports.indexOf("websocket") !== -1\n            ? "websocket"\n            : this.transports[0];\n',
        "        const transportName = this.transports[0];\n",
      ],
      ['        Socket.priorWebsocketSuccess = "websocket" === this.transport.name;\n', ""],
      ["        Socket.priorWebsocketSuccess = false;\n        if (this.opts.tryAllTransports", "        if (this.opts.tryAllTransports"],
    ],
    "engine.io-client/build/esm/transports/websocket.js": [
      [
        '        const opts = isReactNative\n            ? {}\n            : pick(this.opts, "agent", "perMessageDeflate", "pfx", "key", "passphrase", "cert", "ca", "ciphers", "rejectUnauthorized", "localAddress", "protocolVersion", "origin", "maxPayload", "family", "checkServerIdentity");\n        if (this.opts.extraHeaders) {\n            opts.headers = this.opts.extraHeaders;\n        }\n',
        "        const opts = {};\n",
      ],
    ],
    // The Manager's options set as fields, without the accessors dropped above (the element never calls them).
    "socket.io-client/build/esm/manager.js": [
      [
        `        this.reconnection(opts.reconnection !== false);
        this.reconnectionAttempts(opts.reconnectionAttempts || Infinity);
        this.reconnectionDelay(opts.reconnectionDelay || 1000);
        this.reconnectionDelayMax(opts.reconnectionDelayMax || 5000);
        this.randomizationFactor((_a = opts.randomizationFactor) !== null && _a !== void 0 ? _a : 0.5);
        this.backoff = new Backoff({
            min: this.reconnectionDelay(),
            max: this.reconnectionDelayMax(),
            jitter: this.randomizationFactor(),
        });
        this.timeout(null == opts.timeout ? 20000 : opts.timeout);
`,
        `        this._reconnection = opts.reconnection !== false;
        this._reconnectionAttempts = opts.reconnectionAttempts || Infinity;
        this.backoff = new Backoff({
            min: opts.reconnectionDelay || 1000,
            max: opts.reconnectionDelayMax || 5000,
            jitter: (_a = opts.randomizationFactor) !== null && _a !== void 0 ? _a : 0.5,
        });
        this._timeout = null == opts.timeout ? 20000 : opts.timeout;
`,
      ],
    ],
    "socket.io-parser/build/esm/index.js": [
      ['"got plaintext data when reconstructing a packet"', '"plaintext while reconstructing"'],
      ['"got binary data when not reconstructing a packet"', '"unexpected binary"'],
    ],
    "socket.io-client/build/esm/socket.js": [
      [
        '"It seems you are trying to reach a Socket.IO server in v2.x with a v3.x client, but they are not compatible (more information here: https://socket.io/docs/v3/migrating-from-2-x-to-3-0/)"',
        '"Socket.IO v2"',
      ],
      [
        "        if (this._anyOutgoingListeners && this._anyOutgoingListeners.length) {\n            const listeners = this._anyOutgoingListeners.slice();\n            for (const listener of listeners) {\n                listener.apply(this, packet.data);\n            }\n        }\n",
        "",
      ],
      [
        "        if (this._anyListeners && this._anyListeners.length) {\n            const listeners = this._anyListeners.slice();\n            for (const listener of listeners) {\n                listener.apply(this, args);\n            }\n        }\n",
        "",
      ],
    ],
  };
  return {
    name: "exact-rewrites",
    transform(code, id) {
      const file = Object.keys(rewrites).find((name) => id.replaceAll("\\", "/").endsWith(name));
      if (!file) return null;
      let rewritten = code;
      for (const [from, to] of rewrites[file]) {
        if (!rewritten.includes(from)) this.error(`${file} no longer holds ${JSON.stringify(from.slice(0, 60))}: check exactRewrites`);
        rewritten = rewritten.replace(from, to);
      }
      return { code: rewritten, map: null };
    },
  };
};

/**
 * \`module\` (strict code: the IIFE is, and so is every module), \`keep_fargs: false\` (nothing bundled reads a
 * function's \`length\`), \`unsafe_arrows\` (no function expression that ignores \`this\` is called with \`new\`),
 * \`unsafe_methods\` and \`unsafe_comps\`: 47 bytes gzip off the standalone bundle, measured one by one.
 */
const minify = (mangle) =>
  terser({
    ecma: 2020,
    module: true,
    compress: { passes: 3, pure_getters: true, keep_fargs: false, unsafe_arrows: true, unsafe_methods: true, unsafe_comps: true },
    format: { comments: false },
    mangle,
  });

/**
 * The standalone bundle also shortens socket.io-client's and engine.io-client's internal `_names`
 * (consistently: one file), but not Lit's `_$` ones (a template made elsewhere carries them) nor
 * socket.io-parser's `_placeholder` (on the wire, for binary arguments).
 */
const MANGLE_PRIVATE = { properties: { regex: /^_(?!placeholder$|\$)[a-zA-Z]/ } };

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
    plugins: [
      minifyCss(),
      minifyHtml(),
      dropWebTransport(),
      dropUnusedSocketMethods(),
      stubUnusedMethods(),
      exactRewrites(),
      dropIoLookup(),
      urlParseUri(),
      compactXhr(),
      atobBase64(),
      extrasFromScriptUrl(),
      nodeResolve({ browser: true }),
      minify(MANGLE_PRIVATE),
      printGzipSize(),
    ],
    output: { file: "dist/echo-socket.js", format: "iife", sourcemap: true },
  },
  // What the standalone element loads on demand (the composer): a module using the element's Lit.
  {
    input: "dist/element/extras.js",
    plugins: [minifyHtml(), minify(), printGzipSize()],
    output: { file: "dist/echo-socket-extras.js", format: "es", sourcemap: true },
  },
];
