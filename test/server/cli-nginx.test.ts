// `echo-socket check` through real nginx in front of two echo-socket nodes: the README's configuration
// passes; without ip_hash it must find the missing sticky sessions, without the Upgrade headers the
// WebSocket problem (while long-polling works), and with a short proxy_read_timeout the idle cut.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_PATH } from "../../protocol/index.js";
import { attachEchoSocket, type EchoSocketHandle } from "../../server/index.js";
import { runCheck, type CheckReport } from "../../cli/check/run.js";
import type { CheckOptions, CheckResult } from "../../cli/check/types.js";
import { startNginx, type NginxOptions } from "../support/services.mjs";

const nodes: Array<{ port: number; handle: EchoSocketHandle; close(): Promise<void> }> = [];

beforeAll(async () => {
  for (let i = 0; i < 2; i++) {
    const server = createServer();
    const handle = attachEchoSocket(server, { logger: false });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    nodes.push({
      port: (server.address() as AddressInfo).port,
      handle,
      close: async () => {
        await handle.close();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      },
    });
  }
});
afterAll(async () => {
  await Promise.all(nodes.map((node) => node.close()));
});

async function checkBehindNginx(nginxOptions: NginxOptions, options: Partial<CheckOptions> = {}): Promise<CheckReport> {
  const nginx = await startNginx(
    nodes.map((node) => node.port),
    nginxOptions,
  );
  try {
    return await runCheck({
      url: nginx.url,
      path: DEFAULT_PATH,
      send: "ms",
      reply: "echo",
      messages: 20,
      holdSeconds: 0,
      timeoutSeconds: 2,
      json: true,
      ...options,
    });
  } finally {
    await nginx.stop();
  }
}

const verdicts = (report: CheckReport): Record<string, string> => Object.fromEntries(report.checks.map((c) => [c.name, c.verdict]));
const named = (report: CheckReport, name: string): CheckResult => report.checks.find((c) => c.name === name)!;

describe("echo-socket check behind nginx", () => {
  it("passes the README's configuration (ip_hash, Upgrade headers)", async () => {
    const report = await checkBehindNginx({});
    expect(verdicts(report)).toEqual({
      reachable: "pass",
      polling: "pass",
      upgrade: "pass",
      websocket: "pass",
      origin: "skip",
      heartbeat: "pass",
      echo: "pass",
      extras: "pass",
    });
    expect(report.exitCode).toBe(0);
  });

  it("finds sticky sessions missing behind round-robin, and says how to fix them", async () => {
    const report = await checkBehindNginx({ sticky: false });
    const polling = named(report, "polling");
    expect(polling.verdict).toBe("fail");
    expect(polling.detail).toContain('{"code":1,"message":"Session ID unknown"}');
    expect(polling.detail).toContain("sticky sessions are missing");
    expect(polling.fix).toContain("ip_hash;");
    expect(polling.fix).toContain("hash $remote_addr consistent;");
    expect(named(report, "websocket").verdict).toBe("pass"); // a WebSocket is one request: no stickiness needed
    expect(report.exitCode).toBe(1);
  });

  it("finds the WebSocket upgrade blocked while long-polling works, and shows the nginx lines", async () => {
    const report = await checkBehindNginx({ upgradeHeaders: false });
    expect(verdicts(report)).toMatchObject({ reachable: "pass", polling: "pass", upgrade: "fail", websocket: "fail", echo: "pass" });
    for (const name of ["upgrade", "websocket"]) {
      expect(named(report, name).detail).toContain("while long-polling works");
      expect(named(report, name).fix).toContain("proxy_set_header Upgrade $http_upgrade;");
      expect(named(report, name).fix).toContain('proxy_set_header Connection "upgrade";');
    }
    expect(named(report, "echo").figures).toMatchObject({ transport: "polling", lost: 0 }); // what clients fall back to
    expect(report.exitCode).toBe(1);
  });

  it("catches an idle timeout shorter than the heartbeat with --hold, and names proxy_read_timeout", async () => {
    const report = await checkBehindNginx({ readTimeout: "1s" }, { holdSeconds: 3, messages: 1 });
    const heartbeat = named(report, "heartbeat");
    expect(heartbeat).toMatchObject({ verdict: "fail", figures: { transport: "websocket", pings: 0 } });
    expect(heartbeat.detail).toContain("before the server's first ping was due");
    expect(heartbeat.fix).toContain("proxy_read_timeout");
    expect(report.exitCode).toBe(1);
  });
});
