// Captured while this script runs: `document.currentScript` is only set during a classic script's first run.
const loadingScript = typeof document === "undefined" ? null : (document.currentScript as HTMLScriptElement | null);

/**
 * The URL this script was loaded from, when a router served it (`.../echo-socket.js`), so a page on
 * another site that includes our script talks back to our server. A module script has no
 * `currentScript`, so look for our file among the page's scripts. Undefined when neither finds it
 * (a bundler's build of the element).
 */
export function scriptUrl(): string | undefined {
  const src =
    loadingScript?.src ||
    Array.from(document.querySelectorAll<HTMLScriptElement>("script[src]")).find((script) => /\/echo-socket(\.min)?\.js([?#]|$)/.test(script.src))?.src;
  return src ? new URL(src, location.href).href : undefined;
}

/** The origin this script was loaded from, else the page's own. */
export function scriptOrigin(): string {
  return new URL(scriptUrl() ?? location.href).origin;
}

/** Where and on which events the server that served this script talks (the router's `GET config.json`). */
export interface ServerConfig {
  path?: string;
  namespace?: string;
  sendEvent?: string;
  echoEvent?: string;
}

let config: Promise<ServerConfig> | undefined;
/** Set once `serverConfig()` has settled: what it found (`{}` for nothing). */
export let knownConfig: ServerConfig | undefined;

/**
 * The configuration beside this script (`config.json` next to `echo-socket.js`), fetched once a page;
 * `{}` without a script URL or when the server serves none.
 */
export function serverConfig(): Promise<ServerConfig> {
  const src = scriptUrl();
  return (config ??= (src ? fetch(new URL("config.json", src)).then((response) => (response.ok ? response.json() : {})) : Promise.resolve({}))
    .catch(() => ({}))
    .then((found: ServerConfig) => (knownConfig = typeof found === "object" && found ? found : {})));
}

// Asked for at once, so it is usually known before the first element connects.
if (typeof document === "object") void serverConfig();
