import type { IncomingHttpHeaders } from "node:http";
import { optionError } from "../../protocol/option-error.js";

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
  const forwarded = (Array.isArray(header) ? header.join(",") : (header ?? ""))
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean);
  // Nearest hop first: the remote peer, then the proxies' entries from right to left.
  const hops = [remote, ...forwarded.reverse()];
  const index = trustProxy === true ? hops.length - 1 : Math.min(trustProxy, hops.length - 1);
  return hops[index]!;
}

const MAPPED_IPV4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

/**
 * The key the per-address limits count `address` under: an IPv4-mapped IPv6 address is its IPv4
 * address (a dual-stack server sees both forms), and an IPv6 address is its /`ipv6Subnet` prefix
 * (one customer usually holds a whole /64, so counting single addresses would give an attacker
 * unlimited ones). Anything that is not an IPv6 address is its own key.
 */
export function addressKey(address: string, ipv6Subnet: number): string {
  const mapped = MAPPED_IPV4.exec(address);
  if (mapped) return mapped[1]!;
  if (!address.includes(":") || ipv6Subnet >= 128) return address;
  const groups = expandIpv6(address);
  if (!groups) return address;
  const masked = groups.map((group, i) => {
    const bits = Math.min(16, Math.max(0, ipv6Subnet - 16 * i));
    return bits === 0 ? 0 : group & ((0xffff << (16 - bits)) & 0xffff);
  });
  return `${compressIpv6(masked)}/${ipv6Subnet}`;
}

/** The canonical text of eight groups (RFC 5952): lower case, the longest run of 2+ zero groups as `::`. */
function compressIpv6(groups: number[]): string {
  let start = -1;
  let length = 0;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > length && j - i >= 2) [start, length] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const text = (part: number[]): string => part.map((group) => group.toString(16)).join(":");
  return start === -1 ? text(groups) : `${text(groups.slice(0, start))}::${text(groups.slice(start + length))}`;
}

/** The eight 16-bit groups of an IPv6 address (with `::` and an embedded IPv4 tail); undefined if it is not one. */
function expandIpv6(address: string): number[] | undefined {
  const zone = address.indexOf("%");
  let text = zone === -1 ? address : address.slice(0, zone);
  const v4 = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const parse = (part: string): number[] | undefined => {
    if (part === "") return [];
    const groups = part.split(":").map((group) => (/^[0-9a-f]{1,4}$/i.test(group) ? parseInt(group, 16) : NaN));
    return groups.some(Number.isNaN) ? undefined : groups;
  };
  const head = parse(halves[0]!);
  const tail = halves.length === 2 ? parse(halves[1]!) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  return [...head, ...new Array<number>(missing).fill(0), ...tail];
}
