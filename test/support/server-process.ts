// The echo-socket server in a child process, as an attacker's target: a crash shows as an exit,
// not as a failed test runner.
import type { ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { running, spawnNode, stopChild } from "./spawn-node.mjs";

export interface ServerProcess {
  port: number;
  url: string;
  child: ChildProcess;
  /** Heap in use after a full GC, and resident set size, in bytes. */
  memory(): Promise<{ heapUsed: number; rss: number }>;
  /** CPU time the server process has used, in microseconds (bench servers only). */
  cpuMicros(): Promise<number>;
  /** Whether anything was added to Object.prototype in the server process. */
  polluted(): Promise<boolean>;
  alive(): boolean;
  stop(): Promise<void>;
}

/**
 * Spawns `script` (default: echo-socket with default options) with `args`; resolves once it prints
 * "listening <port>". The script answers "memory" and "probe" over IPC.
 */
export async function startServerProcess(
  script = fileURLToPath(new URL("./echo-server-process.mjs", import.meta.url)),
  args: string[] = ["0"],
): Promise<ServerProcess> {
  const { child, match } = await spawnNode(script, { args, nodeArgs: ["--expose-gc"], ipc: true, ready: /listening (\d+)/ });
  const port = Number(match[1]);
  const ask = <T>(question: string): Promise<T> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to ${question}`)), 5000);
      child.once("message", (answer) => {
        clearTimeout(timer);
        resolve(answer as T);
      });
      child.send(question);
    });
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    child,
    memory: () => ask("memory"),
    cpuMicros: async () => (await ask<{ cpuMicros: number }>("cpu")).cpuMicros,
    polluted: async () => (await ask<{ polluted: boolean }>("probe")).polluted,
    alive: () => running(child),
    stop: () => stopChild(child),
  };
}
