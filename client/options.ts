import { DEFAULT_ACK_TIMEOUT_MS, DEFAULT_MAX_QUEUED, DEFAULT_RETRIES, MAX_RETRIES, MAX_TIMER_MS } from "./defaults.js";
import type { ManagerOptions, SocketOptions } from "socket.io-client";
import { DEFAULT_ECHO_EVENT, DEFAULT_PATH, DEFAULT_SEND_EVENT, RESERVED_EVENTS } from "../protocol/index.js";
import { browserClock, type Clock } from "./clock.js";
import { optionError } from "../protocol/option-error.js";
import { DEFAULT_PACING, type PacingOptions } from "./pacer.js";
import { localStorageStorage } from "./storage/local-storage.js";
import { memoryStorage } from "./storage/memory-storage.js";
import type { UnsentStorage } from "./storage/unsent-storage.js";

/** Options of `new EchoClient(options)`. Every one is optional but `url` in Node. */
export interface EchoClientOptions {
  /** Server to connect to. Default: in a browser, the page's origin; in Node, required. */
  url: string;
  /** socket.io path on the server. Default `"/socket.io"`. */
  path: string;
  /** Event each message is emitted on. Default `"ms"`. */
  sendEvent: string;
  /** Event the server echoes on. Default `"echo"`. */
  echoEvent: string;
  /** Milliseconds to wait for a message's acknowledgement before re-sending it. Default 10000, at most 2^31 - 1. */
  ackTimeoutMs: number;
  /** Re-sends after acknowledgement timeouts before a message fails (only to servers that echo ids). Default 3, at most 100. */
  retries: number;
  /** Most messages held while offline (past it `send()` throws `queue_full`); also the most restored from storage. Default 100. */
  maxQueued: number;
  /**
   * Where unsent messages wait for a later client (a reload, a restart). Default: in a browser,
   * `localStorageStorage("echo-socket:unsent:<url><path>:<sendEvent>")`; in Node, `memoryStorage()`.
   */
  storage: UnsentStorage;
  /** How fast messages go out: under an echo-socket server's default limits. Default `{ ratePerSecond: 800, burst: 1000, window: 32 }`. */
  pacing: PacingOptions;
  /** Time and timers (for tests). Default: `performance.now()` and `setTimeout`. */
  clock: Clock;
  /** Extra socket.io-client options (`reconnectionDelay`, `transports`, `auth`, ...), over `{ forceNew: true, transports: ["websocket", "polling"], tryAllTransports: true }`. */
  socketOptions: Partial<ManagerOptions & SocketOptions>;
  /** Connect at construction; otherwise call `connect()`. Default true. */
  autoConnect: boolean;
}

/** The defaults of every option that has one (`url` and `storage` depend on where the client runs). */
export const CLIENT_DEFAULTS = Object.freeze({
  path: DEFAULT_PATH,
  sendEvent: DEFAULT_SEND_EVENT,
  echoEvent: DEFAULT_ECHO_EVENT,
  ackTimeoutMs: DEFAULT_ACK_TIMEOUT_MS,
  retries: DEFAULT_RETRIES,
  maxQueued: DEFAULT_MAX_QUEUED,
  pacing: Object.freeze({ ...DEFAULT_PACING }),
  clock: browserClock,
  socketOptions: Object.freeze({}),
  autoConnect: true,
});

const KNOWN = ["url", "path", "sendEvent", "echoEvent", "ackTimeoutMs", "retries", "maxQueued", "storage", "pacing", "clock", "socketOptions", "autoConnect"];

/** Checks every option once, naming the first wrong one; the caller's object is not changed. */
export function resolveOptions(given: unknown): EchoClientOptions {
  if (given !== undefined && (typeof given !== "object" || given === null || Array.isArray(given))) {
    throw optionError("options", "must be an object", given);
  }
  const options = { ...(given as Record<string, unknown> | undefined) };
  for (const key of Object.keys(options)) {
    if (!KNOWN.includes(key)) throw optionError(key, `is not an option; the options are ${KNOWN.map((k) => `\`${k}\``).join(", ")}`, options[key]);
  }
  const pick = <K extends keyof typeof CLIENT_DEFAULTS>(key: K): unknown => (options[key] === undefined ? CLIENT_DEFAULTS[key] : options[key]);
  const url = checkUrl(options.url);
  const path = checkPath(pick("path"));
  const sendEvent = checkEvent("sendEvent", pick("sendEvent"));
  return {
    url,
    path,
    sendEvent,
    echoEvent: checkEvent("echoEvent", pick("echoEvent")),
    ackTimeoutMs: checkWhole("ackTimeoutMs", pick("ackTimeoutMs"), 1, MAX_TIMER_MS),
    retries: checkWhole("retries", pick("retries"), 0, MAX_RETRIES),
    maxQueued: checkWhole("maxQueued", pick("maxQueued"), 1),
    storage: options.storage === undefined ? defaultStorage(`echo-socket:unsent:${url}${path}:${sendEvent}`) : checkStorage(options.storage),
    pacing: checkPacing(options.pacing),
    clock: checkClock(pick("clock")),
    socketOptions: checkSocketOptions(pick("socketOptions")),
    autoConnect: checkBoolean("autoConnect", pick("autoConnect")),
  };
}

const inBrowser = (): boolean => typeof window === "object" && typeof document === "object" && typeof location === "object";

function checkUrl(value: unknown): string {
  if (value === undefined && inBrowser()) return location.origin;
  if (typeof value !== "string" || value.trim() === "") {
    throw optionError(
      "url",
      inBrowser() ? "must be a non-empty string" : 'must be the server\'s address, such as "http://127.0.0.1:3000" (Node has no page origin to default to)',
      value,
    );
  }
  try {
    const parsed = new URL(value, inBrowser() ? location.href : undefined);
    if (!/^(https?|wss?):$/.test(parsed.protocol)) throw new Error("scheme");
  } catch {
    throw optionError("url", "must be an http(s) or ws(s) address", value);
  }
  return value;
}

function checkPath(value: unknown): string {
  if (typeof value !== "string" || !value.startsWith("/") || value.length < 2 || /[\s?#]/.test(value)) {
    throw optionError("path", 'must be a string starting with "/", with no spaces, "?" or "#"', value);
  }
  return value;
}

function checkEvent(name: string, value: unknown): string {
  if (typeof value !== "string" || value.length === 0) throw optionError(name, "must be a non-empty string", value);
  if (RESERVED_EVENTS.includes(value)) throw optionError(name, `must not be an event reserved by socket.io (${RESERVED_EVENTS.join(", ")})`, value);
  return value;
}

function checkWhole(name: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `of ${min} or more` : `from ${min} to ${max}`;
    throw optionError(name, `must be a whole number ${range}`, value);
  }
  return value;
}

function checkBoolean(name: string, value: unknown): boolean {
  if (typeof value !== "boolean") throw optionError(name, "must be true or false", value);
  return value;
}

function checkStorage(value: unknown): UnsentStorage {
  if (typeof value !== "object" || value === null || typeof (value as Partial<UnsentStorage>).open !== "function") {
    throw optionError("storage", "must be an UnsentStorage (an object with open(), such as memoryStorage())", value);
  }
  return value as UnsentStorage;
}

function checkPacing(value: unknown): PacingOptions {
  if (value === undefined) return { ...DEFAULT_PACING };
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw optionError("pacing", "must be an object { ratePerSecond, burst, window }", value);
  const given = value as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!(key in DEFAULT_PACING)) throw optionError(`pacing.${key}`, "is not a pacing option; they are `ratePerSecond`, `burst`, `window`", given[key]);
  }
  const rate = given.ratePerSecond ?? DEFAULT_PACING.ratePerSecond;
  if (typeof rate !== "number" || !(rate > 0) || !Number.isFinite(rate)) throw optionError("pacing.ratePerSecond", "must be a number above 0", rate);
  return {
    ratePerSecond: rate,
    burst: checkWhole("pacing.burst", given.burst ?? DEFAULT_PACING.burst, 1),
    window: checkWhole("pacing.window", given.window ?? DEFAULT_PACING.window, 1),
  };
}

function checkClock(value: unknown): Clock {
  const clock = value as Partial<Clock> | null;
  if (typeof clock !== "object" || clock === null || ["now", "setTimeout", "clearTimeout"].some((name) => typeof clock[name as keyof Clock] !== "function")) {
    throw optionError("clock", "must be an object with now(), setTimeout() and clearTimeout()", value);
  }
  return clock as Clock;
}

function checkSocketOptions(value: unknown): Partial<ManagerOptions & SocketOptions> {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw optionError("socketOptions", "must be an object of socket.io-client options", value);
  for (const [key, instead] of [
    ["path", "`path`"],
    ["autoConnect", "`autoConnect` and `connect()`"],
  ] as const) {
    if (key in value) throw optionError(`socketOptions.${key}`, `is set by the client: use ${instead}`, (value as Record<string, unknown>)[key]);
  }
  return { ...value };
}

/** localStorage in a browser that lets us use it, else memory. */
function defaultStorage(key: string): UnsentStorage {
  try {
    if (inBrowser() && typeof localStorage === "object" && localStorage !== null) return localStorageStorage(key);
  } catch {
    // reading `localStorage` throws where storage is blocked
  }
  return memoryStorage();
}
