// Starts Node scripts (servers, demos) as child processes for tests and benchmarks, and stops them.
import { spawn } from "node:child_process";

/**
 * Runs `node [nodeArgs] script [args]` with `env` added to this process's environment; resolves
 * once its stdout matches `ready` (with the match), rejects if it exits first. stdout stays read
 * for the child's whole life (a full pipe would block its logging); stderr is inherited, or
 * `"pipe"` for the caller to read.
 */
export function spawnNode(script, { args = [], nodeArgs = [], env = {}, ready, ipc = false, stderr = "inherit" }) {
  const child = spawn(process.execPath, [...nodeArgs, script, ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", stderr, ...(ipc ? ["ipc"] : [])],
  });
  let output = "";
  let errors = ""; // a piped stderr, kept to say why a child died before it was ready
  let started = false;
  if (stderr === "pipe") child.stderr.on("data", (chunk) => void (errors += chunk));
  return new Promise((resolve, reject) => {
    child.stdout.on("data", (chunk) => {
      output += chunk;
      const match = started ? null : ready.exec(output);
      if (match) {
        started = true;
        resolve({ child, match, output: () => output });
      }
    });
    child.once("exit", (code, signal) => reject(new Error(`${script} exited (${signal ?? code}) before it was ready: ${output}${errors}`)));
  });
}

/** True while `child` runs. */
export function running(child) {
  return child.exitCode === null && child.signalCode === null;
}

/** Sends `signal` (SIGKILL: a crash; SIGTERM: a graceful stop) and resolves when the child is gone. */
export async function stopChild(child, signal = "SIGKILL") {
  if (!running(child)) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill(signal);
  await exited;
}
