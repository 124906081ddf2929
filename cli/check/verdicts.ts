// From what the network steps saw to a verdict, a sentence and a fix: pure functions, so every
// branch is unit-tested without a server.
import { isTransientRefusal } from "../../protocol/index.js";
import { ENGINE_ERRORS, type EngineError, type OpenPacket } from "./engine-io.js";
import { seconds, type StepFailure } from "./failures.js";
import { ORIGIN_HOLE_FIX, STICKY_FIX, UPGRADE_HEADERS_FIX, eventNamesFix, idleTimeoutFix, originFix, wrongPathFix } from "./fixes.js";
import type { LinkClose } from "./links.js";
import type { CheckResult, Figures } from "./types.js";

const engineText = (error: EngineError | undefined): string => (error ? ` ${JSON.stringify(error)}` : "");
const round = (ms: number): number => Math.round(ms * 10) / 10;
const isTimeout = (failure: StepFailure | undefined): boolean => failure?.kind === "timeout";
/** An HTTP 431 or 413: the request itself was too large (a Cookie header grown by the site's cookies), a cause of its own. */
const tooLarge = (failure: StepFailure | undefined): boolean => failure?.kind === "status" && (failure.status === 431 || failure.status === 413);
const tooLargeText = (status: number | undefined): string =>
  `the request was too large for the server (HTTP ${status} ${status === 431 ? "Request Header Fields Too Large" : "Content Too Large"})`;
const TOO_LARGE_FIX =
  "the cookies set for this site make every request's Cookie header too large: set fewer or smaller cookies, or raise the server's (or proxy's) header size limit";
/** Most characters shown of a server's value (the ready event's payload, an acknowledgement). */
const SHOWN_VALUE = 120;
/** `value` as JSON, at most SHOWN_VALUE characters of it: a server decides its size. */
export function shortJson(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > SHOWN_VALUE ? `${text.slice(0, SHOWN_VALUE)}… (${text.length} characters)` : text;
}
/** A host for `host:port`: an IPv6 address in brackets. */
export const hostText = (host: string): string => (host.includes(":") ? `[${host}]` : host);

// ---------------------------------------------------------------- reachable

export interface ReachableObservation {
  host: string;
  port: number;
  secure: boolean;
  /** The engine.io path tried, e.g. `/socket.io/`. */
  enginePath: string;
  /** The path as given, e.g. `/socket.io`. */
  path: string;
  address?: string;
  dnsMs?: number;
  tcpMs?: number;
  tlsMs?: number;
  failure?: StepFailure;
  reply?: { status: number; ms: number; body: string; location?: string; engineError?: EngineError; open?: OpenPacket; openProblem?: string };
  /** The path tried answered nothing useful, and socket.io's default path answered a handshake. */
  defaultPathAnswers?: boolean;
}

export function reachableVerdict(o: ReachableObservation): CheckResult {
  const where = `${o.address && o.address !== o.host ? `${o.host} (${hostText(o.address)})` : hostText(o.host)}:${o.port}`;
  const request = `GET ${o.enginePath}?EIO=4&transport=polling`;
  const fail = (detail: string, fix?: string, timedOut = false): CheckResult => ({
    name: "reachable",
    verdict: "fail",
    detail,
    fix,
    timedOut,
    figures: timings(o),
  });
  const f = o.failure;
  if (f?.step === "dns") {
    return fail(
      isTimeout(f) ? `DNS: no answer for ${o.host} within the timeout` : `DNS: ${o.host} has no address (${f.code ?? f.message})`,
      "check the host name in the URL, and its DNS record",
    );
  }
  if (f?.step === "tcp") {
    if (f.kind === "refused") return fail(`TCP: nothing listens on ${where} (connection refused)`, "start the server, or correct the port in the URL");
    if (isTimeout(f))
      return fail(`TCP: ${where} did not answer the connection (${f.message})`, "the host is down, or a firewall or security group drops this port", true);
    return fail(`TCP: ${where}: ${f.message}`);
  }
  if (f?.step === "tls") return fail(`TLS with ${where}: ${f.message}`, tlsFix(f.code, o.host));
  if (f) {
    if (isTimeout(f)) {
      return fail(
        `connected to ${where}, but ${request} got no HTTP answer (${f.message})`,
        o.defaultPathAnswers
          ? wrongPathFix(o.path, true)
          : "the server accepts connections but does not answer: a blocked event loop, a stopped process, or nothing handling this path",
        true,
      );
    }
    if (f.kind === "reset")
      return fail(
        `connected to ${where}, but ${request}: ${f.message}`,
        o.secure ? undefined : "is this an HTTP server? If it serves TLS, use https:// (or wss://)",
      );
    return fail(`${request}: ${f.message}`);
  }
  const reply = o.reply!;
  const http = `HTTP ${reply.status}${engineText(reply.engineError)}`;
  if (reply.open)
    return { name: "reachable", verdict: "pass", detail: `${where}: ${timingText(o)}, handshake ${http} in ${round(reply.ms)} ms`, figures: timings(o) };
  if (reply.status === 400 && reply.engineError?.code === ENGINE_ERRORS.unknownTransport) {
    return { name: "reachable", verdict: "pass", detail: `${where}: ${timingText(o)}, engine.io answers (${http}: long-polling is off)`, figures: timings(o) };
  }
  if (reply.status === 400 && reply.engineError?.code === ENGINE_ERRORS.unsupportedProtocolVersion) {
    return fail(
      `${request}: ${http}: the server speaks engine.io 3 (socket.io 2); this check speaks engine.io 4 (socket.io 3 and 4)`,
      "upgrade the server to socket.io 4",
    );
  }
  if (reply.status === 404)
    return fail(`${request}: HTTP 404: nothing serves socket.io at ${o.enginePath}`, wrongPathFix(o.path, o.defaultPathAnswers === true));
  if (reply.status >= 300 && reply.status < 400) {
    return fail(
      `${request}: ${http}, a redirect${reply.location ? ` to ${reply.location}` : ""}`,
      "use the URL it redirects to: socket.io clients do not follow redirects on the handshake",
    );
  }
  if (reply.status === 403) {
    return fail(
      `${request}: ${http}: the server refused a handshake that carries no Origin header`,
      "its allowRequest (or a proxy's access rule) refuses it: an authentication check? If it checks origins, pass --origin",
    );
  }
  if (reply.status === 502 || reply.status === 503 || reply.status === 504) {
    return fail(
      `${request}: ${http} from a proxy: it could not reach the socket.io server behind it`,
      "check the proxy's upstream address (nginx: the upstream block's server lines) and that the server runs",
    );
  }
  if (reply.status === 200 && reply.openProblem) {
    return fail(
      `${request}: HTTP 200, but engine.io's open packet is malformed: ${reply.openProblem}`,
      "set the server's pingInterval and pingTimeout to whole numbers of milliseconds (socket.io's defaults: 25000 and 20000)",
    );
  }
  if (reply.status === 200) {
    return fail(
      `${request}: HTTP 200, but the answer is not engine.io's open packet (${JSON.stringify(reply.body)}): something else answers at ${o.enginePath}`,
      wrongPathFix(o.path, o.defaultPathAnswers === true),
    );
  }
  return fail(`${request}: ${http}${reply.engineError ? "" : reply.body ? ` ${JSON.stringify(reply.body)}` : ""}`);
}

function timings(o: ReachableObservation): Figures {
  const figures: Figures = {};
  if (o.address) figures.address = o.address;
  if (o.dnsMs !== undefined) figures.dnsMs = round(o.dnsMs);
  if (o.tcpMs !== undefined) figures.tcpMs = round(o.tcpMs);
  if (o.tlsMs !== undefined) figures.tlsMs = round(o.tlsMs);
  if (o.reply) {
    figures.httpStatus = o.reply.status;
    figures.handshakeMs = round(o.reply.ms);
  }
  return figures;
}

function timingText(o: ReachableObservation): string {
  const parts = [];
  if (o.dnsMs !== undefined) parts.push(`DNS ${round(o.dnsMs)} ms`);
  if (o.tcpMs !== undefined) parts.push(`TCP ${round(o.tcpMs)} ms`);
  if (o.tlsMs !== undefined) parts.push(`TLS ${round(o.tlsMs)} ms`);
  return parts.join(", ");
}

function tlsFix(code: string | undefined, host: string): string {
  if (code === "CERT_HAS_EXPIRED") return "renew the certificate";
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID") return `the certificate does not name ${host}: issue one that does`;
  if (code && /SELF_SIGNED|UNABLE_TO_(VERIFY|GET)/.test(code))
    return "serve a certificate from a public CA with its full chain (for a private CA, give Node its certificate with NODE_EXTRA_CA_CERTS)";
  if (code && /WRONG_VERSION|EPROTO|PACKET_LENGTH/.test(code)) return "the port does not speak TLS: use http:// (or ws://), or the TLS port";
  return "check the server's TLS setup (certificate, chain, protocols)";
}

// ---------------------------------------------------------------- polling

export interface PollingObservation {
  open?: OpenPacket;
  /** Long-polling answered HTTP 400 "Transport unknown". */
  pollingOff: boolean;
  /** Requests planned on the session, the handshake included. */
  planned: number;
  /** Requests answered on the session, the handshake included. */
  answered: number;
  /** The request that failed, e.g. "POST" or "GET". */
  failedRequest?: string;
  failure?: StepFailure;
}

export function pollingVerdict(o: PollingObservation): CheckResult {
  if (o.pollingOff) {
    return {
      name: "polling",
      verdict: "warn",
      detail: 'long-polling is off on this server (HTTP 400 "Transport unknown"): it runs WebSocket only',
      fix: 'clients must connect with `transports: ["websocket"]`, or they cannot connect at all (socket.io-client starts with long-polling)',
    };
  }
  const figures: Figures = { requests: o.answered, planned: o.planned };
  const open = o.open!;
  if (o.failure) {
    const f = o.failure;
    const request = `request ${o.answered + 1} of ${o.planned} (${o.failedRequest ?? "?"})`;
    if (f.engineError?.code === ENGINE_ERRORS.unknownSid) {
      return {
        name: "polling",
        verdict: "fail",
        detail: `handshake ok, then ${request} on session ${open.sid} got HTTP ${f.status}${engineText(f.engineError)}: it reached a server that does not hold the session: sticky sessions are missing`,
        fix: STICKY_FIX,
        figures,
      };
    }
    if (tooLarge(f))
      return {
        name: "polling",
        verdict: "fail",
        detail: `handshake ok, then ${request} on session ${open.sid}: ${tooLargeText(f.status)}`,
        fix: TOO_LARGE_FIX,
        figures,
      };
    return { name: "polling", verdict: "fail", detail: `handshake ok, then ${request} on session ${open.sid}: ${f.message}`, timedOut: isTimeout(f), figures };
  }
  return {
    name: "polling",
    verdict: "pass",
    detail: `handshake, CONNECT and ${o.planned - 3} more requests: all ${o.answered} reached session ${open.sid}`,
    figures,
  };
}

// ---------------------------------------------------------------- WebSocket

export interface WebSocketObservation {
  /** `upgrade`: from a long-polling session (probe, then upgrade); `direct`: a WebSocket from the start. */
  kind: "upgrade" | "direct";
  pollingWorks: boolean;
  /** The open packet's `upgrades` lists "websocket" (for `upgrade`). */
  offered: boolean;
  /** Where it failed: "upgrade request", "probe", "CONNECT", ... */
  stage?: string;
  failure?: StepFailure;
  ms?: number;
}

/** The upgrade request's answer says the Upgrade header never reached engine.io (a proxy dropped it). */
export function upgradeHeadersDropped(failure: StepFailure | undefined): boolean {
  if (!failure) return false;
  if (failure.kind === "status") {
    if (failure.engineError) return failure.engineError.code === ENGINE_ERRORS.badRequest;
    return failure.status !== undefined && failure.status !== 101 && failure.status < 500;
  }
  return failure.kind === "reset";
}

export function websocketVerdict(o: WebSocketObservation): CheckResult {
  const name = o.kind === "upgrade" ? "upgrade" : "websocket";
  const what = o.kind === "upgrade" ? "upgrade from long-polling" : "direct WebSocket";
  if (o.kind === "upgrade" && !o.pollingWorks) return { name, verdict: "skip", detail: "needs a working long-polling session" };
  if (o.kind === "upgrade" && !o.offered) {
    return {
      name,
      verdict: "warn",
      detail: "the server offers no upgrade (its open packet says upgrades: []): WebSocket is off",
      fix: "enable the websocket transport on the server (socket.io's `transports` option); meanwhile every message costs an HTTP request",
    };
  }
  const f = o.failure;
  if (!f) {
    return {
      name,
      verdict: "pass",
      detail:
        o.kind === "upgrade"
          ? `probe (2probe → 3probe), upgrade (5) and CONNECT over the WebSocket in ${round(o.ms ?? 0)} ms`
          : `open packet and CONNECT in ${round(o.ms ?? 0)} ms`,
      figures: { ms: round(o.ms ?? 0) },
    };
  }
  const at = `${what}, ${o.stage ?? "?"}: ${f.message}`;
  if (f.engineError?.code === ENGINE_ERRORS.unknownSid) {
    return {
      name,
      verdict: "fail",
      detail: `${at}: the upgrade reached a server that does not hold the session: sticky sessions are missing`,
      fix: STICKY_FIX,
    };
  }
  if (f.engineError?.code === ENGINE_ERRORS.unknownTransport) {
    return {
      name,
      verdict: "warn",
      detail: `${at}: WebSocket is off on this server`,
      fix: "enable the websocket transport on the server (socket.io's `transports` option)",
    };
  }
  if (tooLarge(f)) return { name, verdict: "fail", detail: `${at}: ${tooLargeText(f.status)}`, fix: TOO_LARGE_FIX };
  if (upgradeHeadersDropped(f) && o.stage === "upgrade request") {
    return {
      name,
      verdict: "fail",
      detail: `${at}${o.pollingWorks ? ", while long-polling works" : ""}: the Upgrade header did not reach socket.io`,
      fix: UPGRADE_HEADERS_FIX,
    };
  }
  if (isTimeout(f) && o.stage === "probe") {
    return {
      name,
      verdict: "fail",
      detail: `${at}: the WebSocket opened but carries nothing`,
      fix: "something in between holds WebSocket frames (a buffering proxy?): let WebSocket traffic through unbuffered",
      timedOut: true,
    };
  }
  return { name, verdict: "fail", detail: at, fix: o.pollingWorks && f.kind !== "timeout" ? UPGRADE_HEADERS_FIX : undefined, timedOut: isTimeout(f) };
}

// ---------------------------------------------------------------- origin

export type OriginAnswer = { state: "accepted"; detail: string } | { state: "refused"; detail: string } | { state: "unavailable"; detail: string }; // the transport does not work at all: not an origin matter

export function originVerdict(origin: string | undefined, polling: OriginAnswer | undefined, websocket: OriginAnswer | undefined): CheckResult {
  if (!origin) return { name: "origin", verdict: "skip", detail: "pass --origin <your page's origin> to check the origin policy" };
  const answers = [polling, websocket].filter((a): a is OriginAnswer => a !== undefined && a.state !== "unavailable");
  const figures: Figures = { origin, polling: polling?.state ?? null, websocket: websocket?.state ?? null };
  const pollingText = `long-polling ${polling?.state ?? "not tried"}${polling ? ` (${polling.detail})` : ""}`;
  const websocketText = `WebSocket ${websocket?.state ?? "not tried"}${websocket ? ` (${websocket.detail})` : ""}`;
  const both = `${pollingText}; ${websocketText}`;
  if (answers.length === 0) return { name: "origin", verdict: "skip", detail: `no transport answered: ${both}`, figures };
  if (answers.every((a) => a.state === "accepted")) return { name: "origin", verdict: "pass", detail: `${origin} accepted: ${both}`, figures };
  if (answers.every((a) => a.state === "refused"))
    return { name: "origin", verdict: "fail", detail: `${origin} refused: ${both}`, fix: originFix(origin), figures };
  if (polling?.state === "refused") {
    return { name: "origin", verdict: "fail", detail: `a hole: ${both}: a page on ${origin} connects over WebSocket anyway`, fix: ORIGIN_HOLE_FIX, figures };
  }
  return {
    name: "origin",
    verdict: "fail",
    detail: `the transports disagree: ${both}: pages on ${origin} fall back to long-polling`,
    fix: `the WebSocket handshake's origin check (the server's allowRequest, or a proxy rule) must accept ${origin} as long-polling's CORS does`,
    figures,
  };
}

// ---------------------------------------------------------------- heartbeat

export interface HoldObservation {
  transport: "polling" | "websocket";
  holdMs: number;
  /** How long the idle connection lasted (holdMs when it lasted). */
  heldMs: number;
  pings: number;
  close?: LinkClose;
  /** The longest wait for a ping, when it went past pingInterval + pingTimeout. */
  silentMs?: number;
  /** The hold could not start: the connection or its CONNECT failed. */
  failure?: StepFailure;
}

/** Idle timeouts at or above this are rare; a pingInterval this long meets most proxies' defaults (nginx, AWS ALB: 60 s). */
export const COMMON_IDLE_TIMEOUT_MS = 60_000;

export function heartbeatVerdict(open: OpenPacket | undefined, hold: HoldObservation | undefined): CheckResult {
  if (!open) return { name: "heartbeat", verdict: "skip", detail: "needs engine.io's open packet" };
  const { pingInterval, pingTimeout } = open;
  const beat = `pingInterval ${seconds(pingInterval)}, pingTimeout ${seconds(pingTimeout)}`;
  const figures: Figures = { pingInterval, pingTimeout };
  if (!hold) {
    if (pingInterval >= COMMON_IDLE_TIMEOUT_MS) {
      return {
        name: "heartbeat",
        verdict: "warn",
        detail: `${beat}: a ping every ${seconds(pingInterval)} is no sooner than the 60 s idle timeout of nginx and most cloud load balancers`,
        fix: "lower the server's pingInterval (socket.io's default is 25 s), or raise those idle timeouts",
        figures,
      };
    }
    return {
      name: "heartbeat",
      verdict: "pass",
      detail: `${beat}: whatever is in between must let a connection idle ${seconds(pingInterval)} (--hold ${Math.ceil((pingInterval + pingTimeout) / 1000) + 15} tests it)`,
      figures,
    };
  }
  Object.assign(figures, { transport: hold.transport, holdMs: hold.holdMs, heldMs: Math.round(hold.heldMs), pings: hold.pings });
  if (hold.failure)
    return {
      name: "heartbeat",
      verdict: "fail",
      detail: `${beat}; the idle ${hold.transport} connection could not start: ${hold.failure.message}`,
      timedOut: isTimeout(hold.failure),
      figures,
    };
  const held = `held an idle ${hold.transport} connection ${seconds(hold.heldMs)}`;
  if (hold.silentMs !== undefined) {
    return {
      name: "heartbeat",
      verdict: "fail",
      detail: `${beat}; ${held}, then no ping for ${seconds(hold.silentMs)} (one is due every ${seconds(pingInterval)}; ${hold.pings} answered before): the server stopped answering, or something in between holds its frames`,
      timedOut: true,
      figures,
    };
  }
  if (hold.close) {
    const cut = `${beat}; the idle ${hold.transport} connection was cut after ${seconds(hold.close.atMs)} of ${seconds(hold.holdMs)} (${hold.close.reason})`;
    if (hold.close.byServer)
      return {
        name: "heartbeat",
        verdict: "fail",
        detail: `${cut}: the server closed it`,
        fix: "see why the server closes idle connections (its logs)",
        figures,
      };
    if (hold.pings === 0 && hold.close.atMs < pingInterval) {
      return {
        name: "heartbeat",
        verdict: "fail",
        detail: `${cut}, before the server's first ping was due: something in between closes idle connections sooner than pingInterval`,
        fix: idleTimeoutFix(pingInterval, pingTimeout),
        figures,
      };
    }
    return {
      name: "heartbeat",
      verdict: "fail",
      detail: `${cut}, although ${hold.pings} ping(s) were answered`,
      fix: idleTimeoutFix(pingInterval, pingTimeout),
      figures,
    };
  }
  return { name: "heartbeat", verdict: "pass", detail: `${beat}; ${held}, ${hold.pings} ping(s) answered`, figures };
}

// ---------------------------------------------------------------- echo

export interface EchoObservation {
  transport?: "polling" | "websocket";
  send: string;
  reply: string;
  /** Messages meant to go out (round trips + burst). */
  planned: number;
  sent: number;
  echoed: number;
  /** Echoes whose data differs from what was sent. */
  mismatched: number;
  /** Echoes that came before an echo of an earlier message. */
  outOfOrder: number;
  /** Round-trip times of the one-at-a-time phase, ms. */
  rtts: number[];
  burst?: { messages: number; echoed: number; ms: number };
  /** Refusal codes (acks or the error event) and how many times each. */
  refusals: Record<string, number>;
  /** Other events the server sent, by name. */
  otherEvents: string[];
  connectError?: string;
  failure?: StepFailure;
  waitMs: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function echoVerdict(o: EchoObservation): CheckResult {
  if (!o.transport) return { name: "echo", verdict: "skip", detail: "no transport works" };
  if (o.connectError !== undefined) {
    return {
      name: "echo",
      verdict: "fail",
      detail: `the server refused the socket.io CONNECT to "/": ${o.connectError}`,
      fix: "a middleware (io.use) refused it, such as an authentication check: this check sends no auth",
    };
  }
  const sorted = [...o.rtts].sort((a, b) => a - b);
  const lost = o.sent - o.echoed;
  const figures: Figures = {
    transport: o.transport,
    sent: o.sent,
    echoed: o.echoed,
    lost,
    outOfOrder: o.outOfOrder,
    mismatched: o.mismatched,
  };
  if (sorted.length)
    Object.assign(figures, {
      rttMinMs: round(sorted[0]!),
      rttMedianMs: round(percentile(sorted, 50)),
      rttP95Ms: round(percentile(sorted, 95)),
      rttMaxMs: round(sorted[sorted.length - 1]!),
    });
  if (o.burst && o.burst.ms > 0) figures.throughputPerSecond = Math.round((o.burst.echoed * 1000) / o.burst.ms);
  const refusalCount = Object.values(o.refusals).reduce((a, b) => a + b, 0);
  if (refusalCount) figures.refusals = Object.entries(o.refusals).map(([code, n]) => `${code} ×${n}`);
  const events = `"${o.send}" → "${o.reply}"`;
  if (o.echoed === 0) {
    const heard = o.otherEvents.length ? ` (it did send: ${o.otherEvents.map((e) => JSON.stringify(e)).join(", ")})` : "";
    const why = o.failure && o.failure.kind !== "timeout" ? `: ${o.failure.message}` : ` within ${seconds(o.waitMs)} of emitting "${o.send}"${heard}`;
    return {
      name: "echo",
      verdict: "fail",
      detail: `over ${o.transport}, no "${o.reply}" event${why}`,
      fix: o.failure && o.failure.kind !== "timeout" ? undefined : eventNamesFix(),
      figures,
      timedOut: !o.failure || isTimeout(o.failure),
    };
  }
  const rtt = sorted.length
    ? `RTT min ${round(sorted[0]!)} / median ${round(percentile(sorted, 50))} / p95 ${round(percentile(sorted, 95))} / max ${round(sorted[sorted.length - 1]!)} ms`
    : "";
  const throughput = figures.throughputPerSecond !== undefined ? `, burst of ${o.burst!.messages}: ${figures.throughputPerSecond} echoes/s` : "";
  const summary = `${o.transport}, ${events}: ${o.echoed}/${o.sent} echoed; ${rtt}${throughput}`;
  if (o.mismatched)
    return {
      name: "echo",
      verdict: "fail",
      detail: `${summary}; ${o.mismatched} echo(es) differ from what was sent`,
      fix: "something changes messages on the way (a proxy rewriting frames, or a handler that alters them)",
      figures,
    };
  if (lost > 0) {
    const transient = Object.entries(o.refusals).every(([code]) => isTransientRefusal(code));
    if (refusalCount >= lost && transient) {
      return {
        name: "echo",
        verdict: "warn",
        detail: `${summary}; ${lost} refused by the server's limits (${(figures.refusals as string[]).join(", ")})`,
        fix: "lower --messages, or raise the server's rate limits if real clients hit them",
        figures,
      };
    }
    return {
      name: "echo",
      verdict: "fail",
      detail: `${summary}; ${lost} lost (no echo within ${seconds(o.waitMs)})${o.failure ? `: ${o.failure.message}` : ""}${refusalCount ? `; refused: ${(figures.refusals as string[]).join(", ")}` : ""}`,
      timedOut: !o.failure || isTimeout(o.failure),
      figures,
    };
  }
  if (o.outOfOrder)
    return {
      name: "echo",
      verdict: "fail",
      detail: `${summary}; ${o.outOfOrder} echo(es) out of order`,
      fix: "socket.io keeps a connection's order: something in between reorders (several connections? a handler that awaits?)",
      figures,
    };
  if (o.sent < o.planned) {
    return {
      name: "echo",
      verdict: "warn",
      detail: `${summary}; only ${o.sent} of ${o.planned} sent within the echo's time (${o.failure?.message ?? "slow round trips"})`,
      fix: "round trips are slow: lower --messages, or see what delays the server",
      figures,
    };
  }
  return { name: "echo", verdict: "pass", detail: `${summary}; none lost, in order`, figures };
}

// ---------------------------------------------------------------- extras

export interface ExtrasObservation {
  /** The READY_EVENT arrived, with its payload. */
  ready?: unknown;
  /** The CONNECT reply carried a `pid` (connection state recovery). */
  recoveryPid: boolean;
  /** Events carried a recovery offset after their arguments. */
  offsets: boolean;
  /** The acknowledgement of a message sent with an id, if any came. */
  ack?: unknown;
  /** The acknowledgement of the same id sent again. */
  duplicateAck?: unknown;
  refusalCodes: string[];
}

export function extrasVerdict(o: ExtrasObservation, readyEvent: string): CheckResult {
  const found: string[] = [];
  if (o.ready !== undefined) found.push(`"${readyEvent}" ${shortJson(o.ready)} on connect`);
  if (o.recoveryPid) found.push(`connection state recovery (pid in the CONNECT reply${o.offsets ? ", offsets on events" : ""})`);
  const ack = o.ack as { ok?: unknown; id?: unknown } | undefined;
  if (ack && ack.ok === true) found.push(`acknowledgements ${shortJson(o.ack)}`);
  const duplicate = o.duplicateAck as { duplicate?: unknown } | undefined;
  if (duplicate?.duplicate === true) found.push("a re-sent id is recognised (duplicate: true)");
  if (o.refusalCodes.length) found.push(`refusal codes: ${o.refusalCodes.join(", ")}`);
  const figures: Figures = {
    echoSocket: o.ready !== undefined,
    recovery: o.recoveryPid,
    acks: ack?.ok === true,
    deduplication: duplicate?.duplicate === true,
    refusalCodes: o.refusalCodes,
  };
  if (!found.length) return { name: "extras", verdict: "skip", detail: "a plain socket.io server: none of echo-socket's extras (none is needed)", figures };
  return { name: "extras", verdict: "pass", detail: `${o.ready !== undefined ? "an echo-socket server: " : ""}${found.join("; ")}`, figures };
}
