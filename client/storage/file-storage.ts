import { newMessageId } from "../message-id.js";
import type { UnsentStorage, UnsentWriter } from "./unsent-storage.js";

type Fs = typeof import("node:fs");

/** Writers open in this process, by id: their records are not claimable while they are. */
const liveWriters = new Set<string>();

/** A record's name after `path`: `.<pid>.<writer id>`, and `.<n>` for one it claimed and has not yet rewritten. */
const RECORD_SUFFIX = /^\.(\d+)\.([A-Za-z0-9_-]{22})(?:\.\d+)?$/;

/**
 * Unsent messages in files next to `path` (Node only), so a restarted process sends what it had not
 * delivered. Each client writes its own file, `<path>.<pid>.<writer id>`, atomically (a temporary
 * file renamed over it), and opening claims the files of writers that are gone: closed, or in a
 * process that no longer runs (checked by pid, so the files must not be shared between hosts). A
 * claim is a rename, so when processes open at once each file goes to one of them; a claimed file
 * keeps its claimer's name until the claimer has written its own record, so a crash in between loses
 * nothing. A file named exactly `path` is claimed too. Files of writers still running are left to
 * them, and to whoever opens after they stop.
 */
export function fileStorage(path: string): UnsentStorage {
  if (typeof path !== "string" || path === "") throw new TypeError(`echo-socket: fileStorage() needs a file path (got ${String(path)})`);
  return { open: async (claimed) => openFile(await nodeFs(), path, claimed) };
}

function openFile(fs: Fs, path: string, claimed: (texts: string[]) => void): UnsentWriter {
  const writer = newMessageId();
  liveWriters.add(writer);
  const own = `${path}.${process.pid}.${writer}`;
  const at = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\")) + 1;
  const dir = path.slice(0, at);
  const base = path.slice(at);
  const taken: string[] = [];
  const texts: string[] = [];
  try {
    fs.mkdirSync(dir || ".", { recursive: true });
    for (const name of fs.readdirSync(dir || ".")) {
      if (!name.startsWith(base)) continue;
      const suffix = name.slice(base.length);
      const match = RECORD_SUFFIX.exec(suffix);
      if (suffix !== "" && (!match || !writerGone(Number(match[1]), match[2]!))) continue;
      const mine = `${own}.${taken.length}`;
      try {
        fs.renameSync(dir + name, mine); // atomic: another opener racing for it gets ENOENT
      } catch {
        continue;
      }
      taken.push(mine);
      try {
        texts.push(fs.readFileSync(mine, "utf8"));
      } catch {
        // unreadable: nothing to restore from it
      }
    }
  } catch {
    // no directory, or not readable: nothing to claim
  }
  if (texts.length > 0) claimed(texts);
  let open = true;
  return {
    save(text) {
      if (!open) return;
      try {
        if (text === undefined) fs.rmSync(own, { force: true });
        else {
          const temporary = `${own}.tmp-${newMessageId()}`;
          fs.writeFileSync(temporary, text);
          fs.renameSync(temporary, own);
        }
        // What it claimed is in its own record now (or was sent): the claimed files can go.
        for (const file of taken.splice(0)) fs.rmSync(file, { force: true });
      } catch {
        // Disk full, or the directory gone: the messages still go out while the process runs.
      }
    },
    close() {
      open = false;
      liveWriters.delete(writer);
    },
  };
}

/** Whether the writer of a record is gone: closed in this process, or its process is not running. */
function writerGone(pid: number, writer: string): boolean {
  if (pid === process.pid) return !liveWriters.has(writer);
  try {
    process.kill(pid, 0); // signal 0: only asks whether the process exists
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}

/** `node:fs`, loaded only when a file storage opens, so browser bundles of the client never see it. */
async function nodeFs(): Promise<Fs> {
  const loaded = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule?.("node:fs");
  if (loaded) return loaded as Fs;
  const specifier = "node:fs"; // a variable, for Node 20 before 20.16: bundlers leave it alone
  return (await import(specifier)) as Fs;
}
