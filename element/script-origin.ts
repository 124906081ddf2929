import { RESERVED_EVENTS } from "../protocol/index.js";

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

/** How long the elements wait for `config.json` before connecting with their attributes and defaults. */
export const CONFIG_TIMEOUT_MS = 3000;

/**
 * The configuration beside this script (`config.json` next to `echo-socket.js`), fetched once a page;
 * `{}` without a script URL, when the server serves none, takes longer than `CONFIG_TIMEOUT_MS` (every
 * element waits for it), or answers anything but strings, a path and namespace starting with `/` and
 * event names not reserved.
 */
export function serverConfig(): Promise<ServerConfig> {
  const src = scriptUrl();
  return (config ??= (
    src
      ? fetch(new URL("config.json", src), { signal: AbortSignal.timeout(CONFIG_TIMEOUT_MS) }).then((response) => (response.ok ? response.json() : {}))
      : Promise.resolve({})
  )
    .catch(() => ({}))
    .then(
      (found: Record<string, unknown>) =>
        (knownConfig =
          typeof found === "object" &&
          found &&
          (["path", "namespace", "sendEvent", "echoEvent"] as const).every((key, i) => {
            const value = found[key];
            return value === undefined || (typeof value === "string" && (i < 2 ? value[0] === "/" : value && !RESERVED_EVENTS.includes(value)));
          })
            ? found
            : {}),
    ));
}

// Asked for at once, so it is usually known before the first element connects.
if (typeof document === "object") void serverConfig();
