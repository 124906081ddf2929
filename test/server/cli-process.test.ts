// The built `echo-socket` command as a user runs it (after `npm run build`): `serve` in a child
// process checked by `check` in another, exit codes, --json, SIGTERM, and a server stopped mid-run.
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import { running, spawnNode, stopChild } from "../support/spawn-node.mjs";

const CLI = "dist/cli/main.js";
const children: ChildProcess[] = [];
afterEach(async () => {
  await Promise.all(children.splice(0).map((child) => stopChild(child, "SIGKILL")));
});

/** `echo-socket serve` on a free port; resolves with its URL once it prints it. */
async function serve(args: string[] = [], env: Record<string, string> = {}): Promise<{ child: ChildProcess; url: string }> {
  const { child, match } = await spawnNode(CLI, {
    args: ["serve", "--port", "0", "--host", "127.0.0.1", ...args],
    env,
    ready: /open (http:\/\/\S+)\//,
    stderr: "pipe",
  });
  children.push(child);
  return { child, url: match[1]! };
}

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  /** Resolves once stdout matches `pattern`. */
  printed(pattern: RegExp): Promise<void>;
}

function cli(args: string[]): Run {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let stdout = "";
  let stderr = "";
  const watchers = new Set<() => void>();
  child.stdout!.on("data", (chunk) => {
    stdout += chunk;
    for (const watch of [...watchers]) watch();
  });
  child.stderr!.on("data", (chunk) => void (stderr += chunk));
  const exited = once(child, "exit").then(([code]) => code as number | null);
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    printed: (pattern) =>
      new Promise((resolve, reject) => {
        const watch = (): void => {
          if (!pattern.test(stdout)) return;
          watchers.delete(watch);
          resolve();
        };
        watchers.add(watch);
        watch();
        void exited.then(() => reject(new Error(`exited before printing ${pattern}: ${stdout}${stderr}`)));
      }),
  };
}

describe("echo-socket serve and check, as commands", () => {
  it("serves on --port 0, passes check (lines and --json), and exits 0 on SIGTERM", async () => {
    const { child, url } = await serve();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const human = cli(["check", url, "--messages", "10"]);
    expect(await human.exited).toBe(0);
    const lines = human.stdout().trim().split("\n");
    expect(lines[0]).toBe(`echo-socket check ${url} (path /socket.io, events ms → echo, 10 messages)`);
    for (const name of ["reachable", "polling", "upgrade", "websocket", "heartbeat", "echo", "extras"])
      expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^pass  ${name} `)));
    expect(lines).toContainEqual(expect.stringMatching(/^skip {2}origin /));
    expect(lines.at(-1)).toMatch(/^ok: 7 passed, 1 skipped in \d+\.\d s \(exit 0\)$/);

    const machine = cli(["check", url, "--messages", "10", "--origin", "https://page.example", "--json"]);
    expect(await machine.exited).toBe(0);
    const report = JSON.parse(machine.stdout());
    expect(report).toMatchObject({
      url,
      path: "/socket.io",
      ok: true,
      exitCode: 0,
      server: { echoSocket: true },
      options: { origin: "https://page.example", messages: 10 },
    });
    expect(report.checks.map((c: { name: string; verdict: string }) => `${c.name}:${c.verdict}`)).toEqual([
      "reachable:pass",
      "polling:pass",
      "upgrade:pass",
      "websocket:pass",
      "origin:pass",
      "heartbeat:pass",
      "echo:pass",
      "extras:pass",
    ]);

    child.kill("SIGTERM");
    const [code] = await once(child, "exit");
    expect(code).toBe(0);
  });

  it("exits 2 on bad arguments, naming the argument and the allowed values, and 0 on --help", async () => {
    const unknown = cli(["check", "http://127.0.0.1:1", "--retries", "3"]);
    expect(await unknown.exited).toBe(2);
    expect(unknown.stderr()).toContain(
      "echo-socket check: unknown option --retries (allowed: --path, --origin, --send, --reply, --messages, --hold, --timeout, --json, --help)",
    );
    const badPort = cli(["serve", "--port", "http"]);
    expect(await badPort.exited).toBe(2);
    expect(badPort.stderr()).toContain('echo-socket serve: --port must be a whole number from 0 to 65535 (got "http")');
    const help = cli(["check", "--help"]);
    expect(await help.exited).toBe(0);
    expect(help.stdout()).toContain("Usage: echo-socket check <url> [options]");
  });

  it("stops with exit 1, skipping what is left, when the server stops answering mid-run", async () => {
    // Pings every 200 ms: a stopped server is noticed after 200 + 200 ms without one.
    const { child: server, url } = await serve([], { ECHO_SOCKET_OPTIONS: JSON.stringify({ serverOptions: { pingInterval: 200, pingTimeout: 200 } }) });
    const run = cli(["check", url, "--hold", "30", "--timeout", "1"]);
    // The origin line comes just before the heartbeat check starts holding its idle connection for 30 s.
    await run.printed(/^skip {2}origin /m);
    server.kill("SIGSTOP"); // the process is frozen: connections stay open, nothing answers
    expect(await run.exited).toBe(1);
    const lines = run.stdout().trim().split("\n");
    const heartbeat = lines.find((line) => line.includes(" heartbeat "))!;
    expect(heartbeat).toMatch(/^fail {2}heartbeat /);
    expect(heartbeat).toContain("a new handshake got no answer within 1 s either");
    expect(lines).toContain('skip  echo       not run: the server stopped answering during "heartbeat"');
    expect(lines.at(-1)).toMatch(/^FAILED: .* \(exit 1\)$/);
    expect(running(server)).toBe(true);
  });
});
