import type { IncomingHttpHeaders } from "node:http";
import { optionError } from "./errors.js";

/**
 * How far to trust `X-Forwarded-For`. `false`: never (the header is anyone's to forge);
 * `true`: trust every hop (take the left-most address); a number: trust that many proxies
 * in front of the server, counted from the server outwards (like Express's `trust proxy`).
 */
export type TrustProxy = boolean | number;

export function checkTrustProxy(name: string, value: unknown): TrustProxy {
  if (typeof value === "boolean") return value;
  if (typeof value === "number" && Number.isInteger(value) && value >= 0) return value;
  throw optionError(name, "must be true, false or a whole number of trusted proxy hops", value);
}

/** The client's address, trusting forwarded headers only as far as `trustProxy` says. */
export function clientAddress(remote: string, headers: IncomingHttpHeaders, trustProxy: TrustProxy): string {
  if (trustProxy === false || trustProxy === 0) return remote;
  const header = headers["x-forwarded-for"];
  const forwarded = (Array.isArray(header) ? header.join(",") : header ?? "")
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean);
  // Nearest hop first: the remote peer, then the proxies' entries from right to left.
  const hops = [remote, ...forwarded.reverse()];
  const index = trustProxy === true ? hops.length - 1 : Math.min(trustProxy, hops.length - 1);
  return hops[index]!;
}
