// What to change, said once: the verdicts attach these to failures.
import { DEFAULT_ECHO_EVENT, DEFAULT_PATH, DEFAULT_SEND_EVENT } from "../../protocol/index.js";

export const STICKY_FIX = [
  "every request of a long-polling session must reach the node that holds the session:",
  "  nginx: in the upstream block, `ip_hash;` or `hash $remote_addr consistent;`",
  "  a cloud load balancer: turn on cookie-based session affinity (stickiness)",
  "  Node cluster: @socket.io/sticky",
  '  or skip long-polling: `transports: ["websocket"]` in the clients (and the server)',
].join("\n");

export const UPGRADE_HEADERS_FIX = [
  "the proxy in front does not pass the WebSocket upgrade (clients fall back to long-polling); in nginx's location block:",
  "  proxy_http_version 1.1;",
  "  proxy_set_header Upgrade $http_upgrade;",
  '  proxy_set_header Connection "upgrade";',
  "  a cloud load balancer: WebSocket support on the listener (an HTTP/HTTPS application listener)",
].join("\n");

export function idleTimeoutFix(pingInterval: number, pingTimeout: number): string {
  const heartbeat = Math.ceil((pingInterval + pingTimeout) / 1000);
  return [
    `raise the idle timeout of whatever is in between above pingInterval + pingTimeout (${heartbeat} s):`,
    `  nginx: \`proxy_read_timeout ${Math.max(60, heartbeat + 15)}s;\` and \`proxy_send_timeout ${Math.max(60, heartbeat + 15)}s;\` in the location block`,
    "  a cloud load balancer: its idle timeout (AWS ALB: 60 s by default)",
    `  or lower the server's pingInterval (${Math.round(pingInterval / 1000)} s now) below the proxy's timeout`,
  ].join("\n");
}

export function wrongPathFix(path: string, defaultAnswers: boolean): string {
  if (defaultAnswers) return `socket.io answers at ${DEFAULT_PATH}: use --path ${DEFAULT_PATH} (and the same \`path\` in the clients)`;
  if (path === DEFAULT_PATH)
    return "the server's socket.io `path` option is something else: pass it with --path; behind a proxy, check that its location forwards this path";
  return `socket.io listens at ${DEFAULT_PATH} unless its \`path\` option says otherwise: try --path ${DEFAULT_PATH}, or the server's \`path\``;
}

export function eventNamesFix(): string {
  return `pass the server's event names: --send <the event it listens to> --reply <the event it answers with> (defaults: ${DEFAULT_SEND_EVENT} and ${DEFAULT_ECHO_EVENT}, the tutorial's)`;
}

export function originFix(origin: string): string {
  return [
    `if pages on ${origin} should connect, allow it on both transports:`,
    `  echo-socket: \`allowedOrigins: ["${origin}"]\` (checks both)`,
    `  plain socket.io: \`cors: { origin: ["${origin}"] }\` (long-polling only) and an \`allowRequest\` that checks req.headers.origin (WebSocket too)`,
  ].join("\n");
}

export const ORIGIN_HOLE_FIX = [
  "CORS binds only what a browser lets a page read over HTTP; a WebSocket from any origin still gets in.",
  "Check the Origin in the server's `allowRequest` so both transports follow one list (echo-socket's `allowedOrigins` does),",
  "or add the origin to `cors.origin` if it should connect.",
].join("\n");

export const STALLED_FIX =
  "the server (or a proxy before it) stopped answering mid-run: an event loop blocked, a stopped or crashed process, or a full connection backlog";
