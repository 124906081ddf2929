// Captured while this script runs: `document.currentScript` is only set during a classic script's first run.
const loadingScript = typeof document === "undefined" ? null : (document.currentScript as HTMLScriptElement | null);

/**
 * The origin this script was loaded from, so a page on another site that includes our script talks
 * back to our server. A module script has no `currentScript`, so look for our file among the page's
 * scripts; failing both, the page's own origin.
 */
export function scriptOrigin(): string {
  const src =
    loadingScript?.src ||
    Array.from(document.querySelectorAll<HTMLScriptElement>("script[src]")).find((script) =>
      /\/echo-socket(\.min)?\.js([?#]|$)/.test(script.src),
    )?.src;
  return src ? new URL(src, location.href).origin : location.origin;
}
