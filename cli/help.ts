// The help texts, built from the flag declarations so they cannot drift from what is accepted.
import { runBoundMs } from "./check/budget.js";
import { CHECK_FLAGS, SERVE_FLAGS, type FlagSpec } from "./args.js";

function flagLines(specs: readonly FlagSpec[]): string {
  const left = specs.map((spec) => `  --${spec.name}${spec.value ? ` ${spec.value}` : ""}`);
  const width = Math.max(...left.map((text) => text.length)) + 2;
  return specs.map((spec, i) => `${left[i]!.padEnd(width)}${spec.help}${spec.default ? ` [default: ${spec.default}]` : ""}`).join("\n");
}

export const MAIN_HELP = `echo-socket: a socket.io echo channel, and a doctor for socket.io deployments

Usage:
  echo-socket check <url> [options]   check a socket.io v4 server (any implementation) and say what to fix
  echo-socket serve [options]         run the echo-socket demo server (the page, the element, the echo)
  echo-socket help <command>          one command's options

Exit codes: 0 ok, 1 a check failed (or the server could not start), 2 bad arguments.
`;

export const CHECK_HELP = `Usage: echo-socket check <url> [options]

Checks a socket.io v4 server (engine.io 4) at <url> (http://, https://, ws:// or wss://; the server's
origin, with the socket.io path in --path), speaking the protocol itself so that each failure belongs
to one step, and prints one line per check with a verdict (pass, fail, warn, skip) and what to change:

  reachable  DNS, TCP, TLS, and the HTTP status of the long-polling handshake (404: wrong --path)
  polling    one long-polling session over 20 requests ("Session ID unknown": sticky sessions missing)
  upgrade    the upgrade of a long-polling session to WebSocket (2probe, 3probe, 5)
  websocket  a direct WebSocket (a proxy dropping the Upgrade header fails both)
  origin     with --origin: accepted or refused by long-polling's CORS and by the WebSocket handshake
  heartbeat  pingInterval and pingTimeout; with --hold, an idle connection held that long
  echo       round trips on --send / --reply: RTT min / median / p95 / max, loss, order, throughput
  extras     echo-socket's ready event, recovery, acknowledgements, de-duplication (never required)

Options:
${flagLines(CHECK_FLAGS)}

Every network step times out after --timeout; the whole run stops within 12 × --timeout + --hold
(${runBoundMs(5000, 0) / 1000} s with the defaults). When a step times out and the server no longer answers a new
handshake, the remaining checks are skipped.

Exit codes: 0 every check passed (warnings and skips allowed), 1 a check failed, 2 bad arguments.

Examples:
  echo-socket check http://localhost:3000
  echo-socket check https://chat.example.com --origin https://example.com --hold 70
  echo-socket check http://localhost:8080 --path /ws --send chat --reply chat --json
`;

export const SERVE_HELP = `Usage: echo-socket serve [options]

Runs the echo-socket demo (what \`npm start\` runs): the page at /, the element at /echo/echo-socket.js,
health at /echo/health, and the echo channel on socket.io's default path. Prints the URL once it
listens; SIGINT or SIGTERM closes it gracefully (exit 0). More attachEchoSocket() options can come as
JSON in the ECHO_SOCKET_OPTIONS environment variable.

Options:
${flagLines(SERVE_FLAGS)}

--redis needs the packages redis and @socket.io/redis-streams-adapter installed next to echo-socket.

Exit codes: 0 closed on a signal, 1 could not start, 2 bad arguments.
`;
