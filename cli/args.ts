// Command-line arguments: each command's flags declared once (name, value, default, check), read into
// typed options; anything unknown or malformed is a UsageError naming it and what is allowed.
import { DEFAULT_ECHO_EVENT, DEFAULT_PATH, DEFAULT_SEND_EVENT, RESERVED_EVENTS } from "../protocol/index.js";
import type { CheckOptions } from "./check/types.js";

export const COMMANDS = ["check", "serve", "help"] as const;
export type CommandName = (typeof COMMANDS)[number];

export class UsageError extends Error {
  constructor(
    message: string,
    /** The command whose help to point at. */
    readonly command?: "check" | "serve",
  ) {
    super(message);
  }
}

export interface ServeOptions {
  port: number;
  host: string;
  allowedOrigins: "*" | string[];
  redis?: string;
}

export type Parsed =
  | { command: "check"; options: CheckOptions }
  | { command: "serve"; options: ServeOptions }
  | { command: "help"; topic?: "check" | "serve" }
  | { command: "version" };

export interface FlagSpec {
  name: string;
  /** The value's placeholder in help; absent for a switch. */
  value?: string;
  /** The default, as help shows it. */
  default?: string;
  help: string;
}

export const CHECK_FLAGS: readonly FlagSpec[] = [
  { name: "path", value: "<path>", default: DEFAULT_PATH, help: "the socket.io path (the server's `path` option)" },
  {
    name: "origin",
    value: "<origin>",
    default: "none",
    help: "a page origin that must be able to connect, e.g. https://example.com: checked on both transports",
  },
  { name: "send", value: "<event>", default: DEFAULT_SEND_EVENT, help: "the event the echo check emits" },
  { name: "reply", value: "<event>", default: DEFAULT_ECHO_EVENT, help: "the event the server answers with" },
  { name: "messages", value: "<n>", default: "100", help: "round trips one at a time, then as many in one burst (1 to 10000)" },
  {
    name: "hold",
    value: "<seconds>",
    default: "0 (off)",
    help: "keep an idle connection this long, answering pings, to catch proxy idle timeouts (up to 3600)",
  },
  { name: "timeout", value: "<seconds>", default: "5", help: "each network step's timeout (0.1 to 60)" },
  { name: "json", help: "print one JSON object instead of lines" },
  { name: "help", help: "this help" },
];

export const SERVE_FLAGS: readonly FlagSpec[] = [
  { name: "port", value: "<port>", default: "$PORT or 3000", help: "port to listen on (0: any free port)" },
  { name: "host", value: "<host>", default: "$HOST or localhost", help: "address to listen on (0.0.0.0: every interface)" },
  { name: "allowed-origins", value: "<a,b>", default: "*", help: "page origins that may connect, comma-separated (allowedOrigins)" },
  { name: "redis", value: "<url>", default: "none", help: "share state through Redis (redis://host:6379): one node of several behind a load balancer" },
  { name: "help", help: "this help" },
];

const MAX_MESSAGES = 10_000;
const MAX_HOLD_SECONDS = 3600;

/** Reads `argv` (without `node` and the script). */
export function parseArgs(argv: readonly string[], env: Record<string, string | undefined> = process.env): Parsed {
  const [command, ...rest] = argv;
  if (command === undefined) throw new UsageError(`echo-socket: a command is needed (allowed: ${COMMANDS.join(", ")})`);
  if (command === "--help" || command === "-h") return { command: "help" };
  if (command === "--version" || command === "-v") return { command: "version" };
  if (command === "help") {
    const topic = rest[0];
    if (topic === undefined) return { command: "help" };
    if (topic === "check" || topic === "serve") return { command: "help", topic };
    throw new UsageError(`echo-socket help: unknown command "${topic}" (allowed: check, serve)`);
  }
  if (command === "check") {
    const { flags, positionals } = readFlags("check", rest, CHECK_FLAGS);
    if (flags.has("help")) return { command: "help", topic: "check" };
    return { command: "check", options: checkOptions(flags, positionals) };
  }
  if (command === "serve") {
    const { flags, positionals } = readFlags("serve", rest, SERVE_FLAGS);
    if (flags.has("help")) return { command: "help", topic: "serve" };
    if (positionals.length)
      throw new UsageError(
        `echo-socket serve: unexpected argument ${JSON.stringify(positionals[0])} (serve takes only options: ${names(SERVE_FLAGS)})`,
        "serve",
      );
    return { command: "serve", options: serveOptions(flags, env) };
  }
  throw new UsageError(`echo-socket: unknown command ${JSON.stringify(command)} (allowed: ${COMMANDS.join(", ")})`);
}

function names(specs: readonly FlagSpec[]): string {
  return specs.map((spec) => `--${spec.name}`).join(", ");
}

/** `--name value`, `--name=value` and switches; a flag given twice, or unknown, or without its value, is an error. */
function readFlags(command: "check" | "serve", args: readonly string[], specs: readonly FlagSpec[]): { flags: Map<string, string>; positionals: string[] } {
  const flags = new Map<string, string>();
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "-h") {
      flags.set("help", "");
      continue;
    }
    if (!arg.startsWith("--")) {
      if (arg.startsWith("-") && arg.length > 1) throw new UsageError(`echo-socket ${command}: unknown option ${arg} (allowed: ${names(specs)})`, command);
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const spec = specs.find((s) => s.name === name);
    if (!spec) throw new UsageError(`echo-socket ${command}: unknown option --${name} (allowed: ${names(specs)})`, command);
    if (flags.has(name)) throw new UsageError(`echo-socket ${command}: --${name} is given twice`, command);
    if (!spec.value) {
      if (eq >= 0) throw new UsageError(`echo-socket ${command}: --${name} takes no value (got ${JSON.stringify(arg.slice(eq + 1))})`, command);
      flags.set(name, "");
      continue;
    }
    let value: string | undefined;
    if (eq >= 0) value = arg.slice(eq + 1);
    else {
      value = args[i + 1];
      if (value === undefined || (value.startsWith("--") && value.length > 2))
        throw new UsageError(`echo-socket ${command}: --${name} needs a value: --${name} ${spec.value}`, command);
      i++;
    }
    flags.set(name, value);
  }
  return { flags, positionals };
}

/** `echo-socket check: --messages must be ... (got "x")`, in the style of the server's option errors. */
function invalid(command: "check" | "serve", flag: string, expected: string, got: string): UsageError {
  return new UsageError(`echo-socket ${command}: ${flag} must be ${expected} (got ${JSON.stringify(got)})`, command);
}

function numberFlag(
  command: "check" | "serve",
  flags: Map<string, string>,
  name: string,
  fallback: number,
  { min, max, whole }: { min: number; max: number; whole: boolean },
): number {
  const raw = flags.get(name);
  if (raw === undefined) return fallback;
  // Plain decimal only: Number() would also take "0x10", " 5", "1e3" and "".
  const value = (whole ? /^\d{1,12}$/ : /^(\d{1,12}(\.\d{0,9})?|\.\d{1,9})$/).test(raw) ? Number(raw) : NaN;
  const kind = whole ? "a whole number" : "a number";
  if (!Number.isFinite(value) || (whole && !Number.isInteger(value)) || value < min || value > max)
    throw invalid(command, `--${name}`, `${kind} from ${min} to ${max}`, raw);
  return value;
}

function eventFlag(flags: Map<string, string>, name: string, fallback: string): string {
  const raw = flags.get(name);
  if (raw === undefined) return fallback;
  if (raw === "" || raw.length > 200 || RESERVED_EVENTS.includes(raw))
    throw invalid("check", `--${name}`, `an event name of 1 to 200 characters, not one socket.io reserves (${RESERVED_EVENTS.join(", ")})`, raw);
  return raw;
}

export function isOrigin(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === "http:" || url.protocol === "https:") && url.origin === text;
  } catch {
    return false;
  }
}

function checkOptions(flags: Map<string, string>, positionals: string[]): CheckOptions {
  if (positionals.length === 0) throw new UsageError("echo-socket check: a URL is needed: echo-socket check <url>, such as http://localhost:3000", "check");
  if (positionals.length > 1) throw new UsageError(`echo-socket check: one URL only (got ${positionals.map((p) => JSON.stringify(p)).join(" and ")})`, "check");
  const url = checkUrl(positionals[0]!);
  const path = flags.get("path") ?? DEFAULT_PATH;
  if (!/^\/[^\s?#]*$/.test(path)) throw invalid("check", "--path", 'a path starting with "/", with no spaces, "?" or "#"', path);
  const origin = flags.get("origin");
  if (origin !== undefined && !isOrigin(origin))
    throw invalid("check", "--origin", "an origin such as https://example.com (scheme, host, port; no path)", origin);
  return {
    url,
    path: path.length > 1 ? path.replace(/\/+$/, "") : path,
    origin,
    send: eventFlag(flags, "send", DEFAULT_SEND_EVENT),
    reply: eventFlag(flags, "reply", DEFAULT_ECHO_EVENT),
    messages: numberFlag("check", flags, "messages", 100, { min: 1, max: MAX_MESSAGES, whole: true }),
    holdSeconds: numberFlag("check", flags, "hold", 0, { min: 0, max: MAX_HOLD_SECONDS, whole: false }),
    timeoutSeconds: numberFlag("check", flags, "timeout", 5, { min: 0.1, max: 60, whole: false }),
    json: flags.has("json"),
  };
}

/** The server's origin: http(s) or ws(s), a host, maybe a port; a path belongs in --path. */
function checkUrl(raw: string): string {
  const expected = "a URL such as http://localhost:3000 (http, https, ws or wss; the socket.io path goes in --path)";
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid("check", "the URL", expected, raw);
  }
  if (!["http:", "https:", "ws:", "wss:"].includes(url.protocol) || !url.hostname) {
    const guess = /^[\w.-]+(:\d+)?$/.test(raw) ? ` (did you mean http://${raw}?)` : "";
    throw new UsageError(`echo-socket check: the URL must start with http://, https://, ws:// or wss:// (got ${JSON.stringify(raw)})${guess}`, "check");
  }
  if (url.port === "0") throw invalid("check", "the URL", "with a port from 1 to 65535 (port 0 is no server's)", raw);
  if (url.username || url.password) throw invalid("check", "the URL", "without user name or password", raw);
  if (url.search || url.hash) throw invalid("check", "the URL", "without a query or fragment", raw);
  if (url.pathname !== "/" && url.pathname !== "") {
    throw new UsageError(
      `echo-socket check: the URL is the server's origin; pass its socket.io path with --path (got ${JSON.stringify(raw)}: try ${url.origin} --path ${url.pathname.replace(/\/+$/, "") || "/"})`,
      "check",
    );
  }
  return url.origin.replace(/^ws/, "http");
}

function serveOptions(flags: Map<string, string>, env: Record<string, string | undefined>): ServeOptions {
  let port = 3000;
  if (env.PORT !== undefined && env.PORT !== "") {
    port = /^\d{1,5}$/.test(env.PORT) ? Number(env.PORT) : NaN;
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new UsageError(
        `echo-socket serve: the PORT environment variable must be a whole number from 0 to 65535 (got ${JSON.stringify(env.PORT)})`,
        "serve",
      );
  }
  port = numberFlag("serve", flags, "port", port, { min: 0, max: 65535, whole: true });
  const host = flags.get("host") ?? (env.HOST || "localhost");
  if (!/^[\w.:-]+$/.test(host)) throw invalid("serve", "--host", "a host name or IP address such as localhost, 127.0.0.1 or 0.0.0.0", host);
  const originsRaw = flags.get("allowed-origins");
  let allowedOrigins: ServeOptions["allowedOrigins"] = "*";
  if (originsRaw !== undefined && originsRaw.trim() !== "*") {
    const list = originsRaw
      .split(",")
      .map((origin) => origin.trim())
      .filter(Boolean);
    const bad = list.find((origin) => !isOrigin(origin));
    if (!list.length || bad !== undefined)
      throw invalid(
        "serve",
        "--allowed-origins",
        '"*" or origins separated by commas, such as https://example.com,http://localhost:8080 (scheme, host, port; no path)',
        bad ?? originsRaw,
      );
    allowedOrigins = list;
  }
  const redis = flags.get("redis");
  if (redis !== undefined && !/^rediss?:\/\/[^\s]+$/.test(redis))
    throw invalid("serve", "--redis", "a Redis URL such as redis://127.0.0.1:6379 (redis:// or rediss://)", redis);
  return { port, host, allowedOrigins, redis };
}
