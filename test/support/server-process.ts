// The echo-socket server in a child process, as an attacker's target: a crash shows as an exit,
// not as a failed test runner.
import type { ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { running, spawnNode, stopChild } from "./spawn-node.mjs";

export interface MemoryFigures {
  heapUsed: number;
  rss: number;
  /** Memory outside the JS heap (Buffers): what binary frames and attachments occupy. */
  external?: number;
  arrayBuffers?: number;
}

export interface ExitFigures {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ServerProcess {
  port: number;
  url: string;
  child: ChildProcess;
  /** Heap in use after a full GC, and resident set size, in bytes. */
  memory(): Promise<MemoryFigures>;
  /** CPU time the server process has used, in microseconds (bench servers and echo-server-process.mjs). */
  cpuMicros(): Promise<number>;
  /** Whether anything was added to Object.prototype in the server process. */
  polluted(): Promise<boolean>;
  /** echo-server-process.mjs only: the highest memory sampled (every 100 ms) since the last call. */
  peakMemory(): Promise<MemoryFigures>;
  /** echo-server-process.mjs only: the handle's `stats()`. */
  stats(): Promise<Record<string, number>>;
  alive(): boolean;
  /** Resolves when the process exits, however it exits. */
  readonly exited: Promise<ExitFigures>;
  /** What the process wrote to stderr, when started with `stderr: "pipe"` (the last 64 KiB). */
  stderr(): string;
  stop(): Promise<void>;
}

export interface ServerProcessOptions {
  /** Environment added to the child's. */
  env?: Record<string, string>;
  /** "pipe" keeps stderr for `stderr()` (a crash's stack); default: inherited. */
  stderr?: "inherit" | "pipe";
}

export const ECHO_SERVER_SCRIPT = fileURLToPath(new URL("./echo-server-process.mjs", import.meta.url));

/**
 * Spawns `script` (default: echo-socket with default options) with `args`; resolves once it prints
 * "listening <port>". The script answers "memory" and "probe" (and more, see echo-server-process.mjs) over IPC.
 */
export async function startServerProcess(
  script = ECHO_SERVER_SCRIPT,
  args: string[] = ["0"],
  { env = {}, stderr = "inherit" }: ServerProcessOptions = {},
): Promise<ServerProcess> {
  const { child, match } = await spawnNode(script, { args, env, nodeArgs: ["--expose-gc"], ipc: true, ready: /listening (\d+)/, stderr });
  const port = Number(match[1]);
  let errors = "";
  child.stderr?.on("data", (chunk: Buffer) => (errors = (errors + chunk.toString()).slice(-65_536)));
  const exited = new Promise<ExitFigures>((resolve) => {
    if (!running(child)) resolve({ code: child.exitCode, signal: child.signalCode });
    child.once("exit", (code, signal) => resolve({ code, signal }));
  });
  // One question at a time: answers carry no id, so a second question waits for the first answer.
  let queue: Promise<unknown> = Promise.resolve();
  const ask = <T>(question: string): Promise<T> => {
    const answer = queue.then(
      () =>
        new Promise<T>((resolve, reject) => {
          if (!running(child)) return reject(new Error(`no answer to ${question}: the server exited`));
          const timer = setTimeout(() => {
            child.off("message", onMessage);
            reject(new Error(`no answer to ${question}`));
          }, 5000);
          const onMessage = (message: unknown): void => {
            clearTimeout(timer);
            resolve(message as T);
          };
          child.once("message", onMessage);
          child.send(question);
        }),
    );
    queue = answer.catch(() => {});
    return answer;
  };
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    child,
    memory: () => ask("memory"),
    cpuMicros: async () => (await ask<{ cpuMicros: number }>("cpu")).cpuMicros,
    polluted: async () => (await ask<{ polluted: boolean }>("probe")).polluted,
    peakMemory: () => ask("peak"),
    stats: () => ask("stats"),
    alive: () => running(child),
    exited,
    stderr: () => errors,
    stop: () => stopChild(child),
  };
}

/**
 * echo-socket (Express app + attachEchoSocket + echoSocketRouter at /echo) in a child process, with
 * `options` for attachEchoSocket (JSON-serialisable) and, for a baseline checkout, another built `dist`.
 */
export function startEchoServerProcess({
  options,
  dist,
  host,
  stderr,
}: {
  options?: Record<string, unknown>;
  dist?: string;
  host?: string;
  stderr?: "inherit" | "pipe";
} = {}): Promise<ServerProcess> {
  const env: Record<string, string> = {};
  if (options) env.ECHO_SOCKET_OPTIONS = JSON.stringify(options);
  if (dist) env.ECHO_SOCKET_DIST = dist;
  if (host) env.ECHO_SOCKET_HOST = host;
  return startServerProcess(ECHO_SERVER_SCRIPT, ["0"], { env, stderr });
}
