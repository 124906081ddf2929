// The check command's verdicts, from observations to verdict, sentence and fix, without a server.
import { describe, expect, it } from "vitest";
import { READY_EVENT } from "../../protocol/index.js";
import { Budget, runBoundMs } from "../../cli/check/budget.js";
import { parseSocketPacket, eventPacket, decodePayload, parseOpen } from "../../cli/check/engine-io.js";
import type { StepFailure } from "../../cli/check/failures.js";
import {
  echoVerdict,
  extrasVerdict,
  heartbeatVerdict,
  originVerdict,
  percentile,
  pollingVerdict,
  reachableVerdict,
  websocketVerdict,
  type EchoObservation,
  type ReachableObservation,
} from "../../cli/check/verdicts.js";

const open = { sid: "abc", upgrades: ["websocket"], pingInterval: 25_000, pingTimeout: 20_000, maxPayload: 1_000_000 };
const site = { host: "example.com", port: 443, secure: true, enginePath: "/socket.io/", path: "/socket.io" };
const status = (status: number, engineError?: { code: number; message: string }): StepFailure => ({
  step: "websocket",
  kind: "status",
  status,
  engineError,
  message: `the WebSocket upgrade was answered with HTTP ${status} instead of 101`,
});

describe("reachable", () => {
  const cases: Array<[string, ReachableObservation, { verdict: string; detail: RegExp; fix?: RegExp }]> = [
    [
      "no DNS address",
      { ...site, failure: { step: "dns", kind: "not-found", code: "ENOTFOUND", message: "" } },
      { verdict: "fail", detail: /DNS: example.com has no address \(ENOTFOUND\)/, fix: /host name/ },
    ],
    [
      "connection refused",
      { ...site, address: "10.0.0.1", failure: { step: "tcp", kind: "refused", code: "ECONNREFUSED", message: "" } },
      { verdict: "fail", detail: /nothing listens on example.com \(10.0.0.1\):443/, fix: /start the server/ },
    ],
    [
      "TCP dropped",
      { ...site, failure: { step: "tcp", kind: "timeout", message: "TCP connect: no answer within 5 s" } },
      { verdict: "fail", detail: /did not answer the connection/, fix: /firewall/ },
    ],
    [
      "plain HTTP on a TLS URL",
      { ...site, failure: { step: "tls", kind: "tls", code: "ERR_SSL_WRONG_VERSION_NUMBER", message: "wrong version number" } },
      { verdict: "fail", detail: /^TLS/, fix: /does not speak TLS: use http:\/\// },
    ],
    [
      "an expired certificate",
      { ...site, failure: { step: "tls", kind: "tls", code: "CERT_HAS_EXPIRED", message: "certificate has expired" } },
      { verdict: "fail", detail: /certificate has expired/, fix: /renew/ },
    ],
    [
      "no HTTP answer",
      { ...site, failure: { step: "http", kind: "timeout", message: "no answer within 5 s" } },
      { verdict: "fail", detail: /got no HTTP answer/, fix: /blocked event loop/ },
    ],
    [
      "404 on a custom path the default answers",
      { ...site, enginePath: "/ws/", path: "/ws", defaultPathAnswers: true, reply: { status: 404, ms: 3, body: "Cannot GET" } },
      { verdict: "fail", detail: /HTTP 404: nothing serves socket.io at \/ws\//, fix: /socket.io answers at \/socket.io: use --path \/socket.io/ },
    ],
    [
      "404 on the default path",
      { ...site, reply: { status: 404, ms: 3, body: "" } },
      { verdict: "fail", detail: /HTTP 404/, fix: /`path` option is something else: pass it with --path/ },
    ],
    [
      "a proxy without its upstream",
      { ...site, reply: { status: 502, ms: 3, body: "Bad Gateway" } },
      { verdict: "fail", detail: /HTTP 502 from a proxy/, fix: /upstream/ },
    ],
    [
      "socket.io 2",
      { ...site, reply: { status: 400, ms: 3, body: "", engineError: { code: 5, message: "Unsupported protocol version" } } },
      { verdict: "fail", detail: /engine.io 3 \(socket.io 2\)/, fix: /socket.io 4/ },
    ],
    ["an HTML page", { ...site, reply: { status: 200, ms: 3, body: "<html>" } }, { verdict: "fail", detail: /not engine.io's open packet/ }],
    [
      "a handshake",
      { ...site, address: "93.184.216.34", dnsMs: 2, tcpMs: 3, tlsMs: 9, reply: { status: 200, ms: 12, body: "0{}", open } },
      { verdict: "pass", detail: /DNS 2 ms, TCP 3 ms, TLS 9 ms, handshake HTTP 200 in 12 ms/ },
    ],
    [
      "WebSocket only",
      { ...site, reply: { status: 400, ms: 3, body: "", engineError: { code: 0, message: "Transport unknown" } } },
      { verdict: "pass", detail: /long-polling is off/ },
    ],
  ];
  it.each(cases)("%s", (_name, observation, expected) => {
    const result = reachableVerdict(observation);
    expect(result.verdict).toBe(expected.verdict);
    expect(result.detail).toMatch(expected.detail);
    if (expected.fix) expect(result.fix).toMatch(expected.fix);
    else if (expected.verdict === "pass") expect(result.fix).toBeUndefined();
  });
});

describe("polling", () => {
  it("says sticky sessions are missing when a request of the session meets Session ID unknown, and how to fix it", () => {
    const result = pollingVerdict({
      open,
      pollingOff: false,
      planned: 20,
      answered: 1,
      failedRequest: "POST",
      failure: { step: "http", kind: "status", status: 400, engineError: { code: 1, message: "Session ID unknown" }, message: "" },
    });
    expect(result).toMatchObject({ verdict: "fail", figures: { requests: 1, planned: 20 } });
    expect(result.detail).toContain('request 2 of 20 (POST) on session abc got HTTP 400 {"code":1,"message":"Session ID unknown"}');
    expect(result.detail).toContain("sticky sessions are missing");
    for (const remedy of ["ip_hash;", "hash $remote_addr consistent;", "cookie-based session affinity", 'transports: ["websocket"]'])
      expect(result.fix).toContain(remedy);
  });

  it("passes a session that held, and warns about a WebSocket-only server", () => {
    expect(pollingVerdict({ open, pollingOff: false, planned: 20, answered: 20 })).toMatchObject({
      verdict: "pass",
      detail: expect.stringContaining("all 20 reached session abc"),
    });
    expect(pollingVerdict({ pollingOff: true, planned: 20, answered: 0 })).toMatchObject({
      verdict: "warn",
      fix: expect.stringContaining('transports: ["websocket"]'),
    });
  });

  it("marks a timed-out request so the runner asks whether the server still answers", () => {
    expect(
      pollingVerdict({
        open,
        pollingOff: false,
        planned: 20,
        answered: 5,
        failedRequest: "GET",
        failure: { step: "http", kind: "timeout", message: "no answer within 1 s" },
      }),
    ).toMatchObject({ verdict: "fail", timedOut: true });
  });
});

describe("WebSocket", () => {
  it("blames the proxy's missing Upgrade headers when the upgrade request gets a plain HTTP answer, with the nginx lines", () => {
    for (const kind of ["upgrade", "direct"] as const) {
      const result = websocketVerdict({
        kind,
        pollingWorks: true,
        offered: true,
        stage: "upgrade request",
        failure: status(400, { code: 3, message: "Bad request" }),
      });
      expect(result.verdict).toBe("fail");
      expect(result.detail).toContain("while long-polling works");
      for (const line of ["proxy_http_version 1.1;", "proxy_set_header Upgrade $http_upgrade;", 'proxy_set_header Connection "upgrade";'])
        expect(result.fix).toContain(line);
    }
  });

  it("says an upgrade that lands on another node is missing stickiness, and that a disabled transport is only a warning", () => {
    expect(
      websocketVerdict({
        kind: "upgrade",
        pollingWorks: true,
        offered: true,
        stage: "upgrade request",
        failure: status(400, { code: 1, message: "Session ID unknown" }),
      }),
    ).toMatchObject({ verdict: "fail", fix: expect.stringContaining("ip_hash") });
    expect(
      websocketVerdict({
        kind: "direct",
        pollingWorks: true,
        offered: true,
        stage: "upgrade request",
        failure: status(400, { code: 0, message: "Transport unknown" }),
      }),
    ).toMatchObject({ verdict: "warn" });
    expect(websocketVerdict({ kind: "upgrade", pollingWorks: true, offered: false })).toMatchObject({
      verdict: "warn",
      detail: expect.stringContaining("upgrades: []"),
    });
    expect(websocketVerdict({ kind: "upgrade", pollingWorks: false, offered: true })).toMatchObject({ verdict: "skip" });
  });

  it("passes, and flags a probe that never comes back as a timeout", () => {
    expect(websocketVerdict({ kind: "upgrade", pollingWorks: true, offered: true, ms: 4 })).toMatchObject({ verdict: "pass", figures: { ms: 4 } });
    expect(
      websocketVerdict({
        kind: "upgrade",
        pollingWorks: true,
        offered: true,
        stage: "probe",
        failure: { step: "websocket", kind: "timeout", message: "no answer" },
      }),
    ).toMatchObject({ verdict: "fail", timedOut: true });
  });
});

describe("origin", () => {
  const accepted = { state: "accepted" as const, detail: "Access-Control-Allow-Origin: *" };
  const refused = { state: "refused" as const, detail: "HTTP 403" };
  it("passes when both transports accept, fails a consistent refusal with how to allow it", () => {
    expect(originVerdict("https://a.example", accepted, accepted).verdict).toBe("pass");
    const result = originVerdict("https://a.example", refused, refused);
    expect(result).toMatchObject({ verdict: "fail", figures: { polling: "refused", websocket: "refused" } });
    expect(result.fix).toContain('allowedOrigins: ["https://a.example"]');
  });

  it("calls long-polling refused but WebSocket accepted a hole, and the reverse a fallback", () => {
    const hole = originVerdict("https://a.example", refused, accepted);
    expect(hole.verdict).toBe("fail");
    expect(hole.detail).toMatch(/^a hole: .* connects over WebSocket anyway/);
    expect(hole.fix).toContain("allowRequest");
    expect(originVerdict("https://a.example", accepted, refused).detail).toContain("fall back to long-polling");
  });

  it("skips without --origin, and judges on the transports that work", () => {
    expect(originVerdict(undefined, undefined, undefined).verdict).toBe("skip");
    expect(originVerdict("https://a.example", undefined, accepted).verdict).toBe("pass");
    expect(originVerdict("https://a.example", { state: "unavailable", detail: "HTTP 500" }, refused).verdict).toBe("fail");
  });
});

describe("heartbeat", () => {
  it("reports the server's figures, and warns when its pings are no more frequent than common idle timeouts", () => {
    expect(heartbeatVerdict(open, undefined)).toMatchObject({ verdict: "pass", figures: { pingInterval: 25_000, pingTimeout: 20_000 } });
    expect(heartbeatVerdict({ ...open, pingInterval: 60_000 }, undefined)).toMatchObject({ verdict: "warn" });
    expect(heartbeatVerdict(undefined, undefined).verdict).toBe("skip");
  });

  it("names proxy_read_timeout when an idle connection is cut before the first ping", () => {
    const result = heartbeatVerdict(open, {
      transport: "websocket",
      holdMs: 90_000,
      heldMs: 10_000,
      pings: 0,
      close: { atMs: 10_000, reason: "WebSocket closed with code 1006", byServer: false },
    });
    expect(result.verdict).toBe("fail");
    expect(result.detail).toContain("before the server's first ping was due");
    expect(result.fix).toContain("proxy_read_timeout 60s;");
    expect(result.fix).toContain("above pingInterval + pingTimeout (45 s)");
  });

  it("fails a server that stops pinging, and passes a held connection", () => {
    expect(heartbeatVerdict(open, { transport: "websocket", holdMs: 90_000, heldMs: 70_000, pings: 1, silentMs: 45_100 })).toMatchObject({
      verdict: "fail",
      timedOut: true,
      detail: expect.stringContaining("no ping for 45.1 s"),
    });
    expect(heartbeatVerdict(open, { transport: "polling", holdMs: 60_000, heldMs: 60_000, pings: 2 })).toMatchObject({
      verdict: "pass",
      figures: { pings: 2, transport: "polling" },
    });
  });
});

describe("echo", () => {
  const base: EchoObservation = {
    transport: "websocket",
    send: "ms",
    reply: "echo",
    planned: 8,
    sent: 8,
    echoed: 8,
    mismatched: 0,
    outOfOrder: 0,
    rtts: [4, 1, 3, 2],
    burst: { messages: 4, echoed: 4, ms: 2 },
    refusals: {},
    otherEvents: [],
    waitMs: 5000,
  };

  it("reports RTT min / median / p95 / max and throughput", () => {
    const result = echoVerdict(base);
    expect(result).toMatchObject({ verdict: "pass", figures: { rttMinMs: 1, rttMedianMs: 2, rttP95Ms: 4, rttMaxMs: 4, throughputPerSecond: 2000, lost: 0 } });
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95)).toBe(10);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50)).toBe(5);
  });

  it("suggests --send / --reply when nothing comes back, naming the events that did", () => {
    const result = echoVerdict({ ...base, sent: 1, echoed: 0, rtts: [], burst: undefined, otherEvents: ["message"] });
    expect(result.verdict).toBe("fail");
    expect(result.detail).toContain('it did send: "message"');
    expect(result.fix).toContain("--send");
  });

  it("fails loss and disorder, and only warns about messages the server's limits refused", () => {
    expect(echoVerdict({ ...base, echoed: 6 })).toMatchObject({ verdict: "fail", figures: { lost: 2 } });
    expect(echoVerdict({ ...base, outOfOrder: 1 })).toMatchObject({ verdict: "fail", detail: expect.stringContaining("out of order") });
    expect(echoVerdict({ ...base, echoed: 6, refusals: { rate_limited: 2 } })).toMatchObject({ verdict: "warn", figures: { refusals: ["rate_limited ×2"] } });
    expect(echoVerdict({ ...base, echoed: 6, refusals: { message_too_large: 2 } }).verdict).toBe("fail");
    expect(echoVerdict({ ...base, connectError: "not authorized" })).toMatchObject({ verdict: "fail", fix: expect.stringContaining("io.use") });
  });
});

describe("extras", () => {
  it("reports echo-socket's extras when present and skips quietly when absent", () => {
    const found = extrasVerdict(
      {
        ready: { delivery: 1 },
        recoveryPid: true,
        offsets: true,
        ack: { ok: true, id: "x" },
        duplicateAck: { ok: true, id: "x", duplicate: true },
        refusalCodes: [],
      },
      READY_EVENT,
    );
    expect(found).toMatchObject({ verdict: "pass", figures: { echoSocket: true, recovery: true, acks: true, deduplication: true } });
    expect(found.detail).toContain(READY_EVENT);
    expect(extrasVerdict({ recoveryPid: false, offsets: false, refusalCodes: [] }, READY_EVENT)).toMatchObject({
      verdict: "skip",
      figures: { echoSocket: false },
    });
  });
});

describe("framing and bounds", () => {
  it("reads engine.io payloads and socket.io packets", () => {
    expect(decodePayload('0{"sid":"s","upgrades":[],"pingInterval":1,"pingTimeout":2}\x1e40')).toHaveLength(2);
    expect(parseOpen('0{"sid":"s","upgrades":["websocket"],"pingInterval":1,"pingTimeout":2}')).toMatchObject({ sid: "s", pingInterval: 1 });
    expect(parseOpen("0nope")).toBeUndefined();
    expect(parseSocketPacket('40{"sid":"x","pid":"y"}')).toEqual({ type: 0, namespace: "/", ackId: undefined, data: { sid: "x", pid: "y" } });
    expect(parseSocketPacket('4312[{"ok":true}]')).toEqual({ type: 3, namespace: "/", ackId: 12, data: [{ ok: true }] });
    expect(parseSocketPacket('42/chat,["m"]')).toMatchObject({ namespace: "/chat", data: ["m"] });
    expect(eventPacket("ms", ["hi"], 3)).toBe('423["ms","hi"]');
  });

  it("gives each step the smaller of its timeout and what is left of the run, then refuses", () => {
    let now = 0;
    const budget = new Budget(5000, 12_000, () => now);
    expect(budget.step("http")).toBe(5000);
    now = 10_000;
    expect(budget.step("http")).toBe(2000);
    now = 12_000;
    expect(() => budget.step("http")).toThrow("the run reached its bound of 12 s");
    expect(runBoundMs(5000, 30_000)).toBe(90_000);
  });
});
