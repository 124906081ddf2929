import { optionError } from "../../protocol/option-error.js";

/** Which page origins may connect: every one (`"*"`), a list (`"https://example.com"`), or a function. */
export type AllowedOrigins = "*" | readonly string[] | ((origin: string) => boolean);

export function checkAllowedOrigins(name: string, value: unknown): AllowedOrigins {
  if (value === "*" || typeof value === "function") return value as AllowedOrigins;
  if (Array.isArray(value) && value.every((origin) => typeof origin === "string" && isOrigin(origin))) {
    return Object.freeze([...value]);
  }
  throw optionError(name, 'must be "*", a function, or an array of origins such as "https://example.com" (scheme, host, port; no path)', value);
}

function isOrigin(text: string): boolean {
  try {
    return new URL(text).origin === text;
  } catch {
    return false;
  }
}

/**
 * Whether a request with this `Origin` header may connect. No header means no browser sent it
 * (browsers always send one on WebSocket and cross-origin requests), so there is no page to protect.
 */
export function originMatcher(allowed: AllowedOrigins): (origin: string | undefined) => boolean {
  if (allowed === "*") return () => true;
  if (typeof allowed === "function") return (origin) => origin === undefined || allowed(origin) === true;
  const set = new Set(allowed);
  return (origin) => origin === undefined || set.has(origin);
}
