import type { ChildProcess } from "node:child_process";

export interface SpawnedNode {
  child: ChildProcess;
  match: RegExpExecArray;
  /** Everything the child printed on stdout so far. */
  output(): string;
}

export function spawnNode(
  script: string,
  options: { args?: string[]; nodeArgs?: string[]; env?: Record<string, string>; ready: RegExp; ipc?: boolean; stderr?: "inherit" | "pipe" },
): Promise<SpawnedNode>;
export function running(child: ChildProcess): boolean;
export function stopChild(child: ChildProcess, signal?: NodeJS.Signals): Promise<void>;
