import { DEFAULT_MAX_QUEUED } from "../defaults.js";
import { newMessageId } from "../message-id.js";
import { MAX_STORED_CHARS, parseStored } from "../unsent-store.js";
import type { UnsentStorage, UnsentWriter } from "./unsent-storage.js";

type Fs = typeof import("node:fs");

/** Writers open in this process, by id: their records are not claimable while they are. */
const liveWriters = new Set<string>();

/** Largest record read (UTF-8 bytes; up to 3 per stored UTF-16 unit): a larger one is dropped unread. */
const MAX_RECORD_BYTES = 3 * MAX_STORED_CHARS;
/** What a record too large to read is handed on as: not JSON, so it counts as one dropped. */
const TOO_LARGE = "(record too large: dropped unread)";
/** Bytes read in one open, at most (plus the last record's): the rest wait for a later opener. */
const READ_BUDGET = MAX_RECORD_BYTES;
/** Record names tried in one open, at most: the rest wait for a later opener. */
const MAX_CANDIDATES = 1000;

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
 * them, and to whoever opens after they stop. Only regular files are claimed (a symlink, a FIFO or a
 * directory is left alone), one larger than MAX_RECORD_BYTES is dropped unread, and one that cannot
 * be read is put back. An open claims until it holds `max` messages (the client's `maxQueued`), has
 * read MAX_RECORD_BYTES or tried MAX_CANDIDATES names; the rest stay for a later opener.
 */
export function fileStorage(path: string): UnsentStorage {
  if (typeof path !== "string" || path === "") throw new TypeError(`echo-socket: fileStorage() needs a file path (got ${String(path)})`);
  return { open: async (claimed, max) => openFile(await nodeFs(), path, claimed, max ?? DEFAULT_MAX_QUEUED) };
}

function openFile(fs: Fs, path: string, claimed: (texts: string[]) => void, max: number): UnsentWriter {
  const writer = newMessageId();
  liveWriters.add(writer);
  const own = `${path}.${process.pid}.${writer}`;
  const at = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\")) + 1;
  const dir = path.slice(0, at);
  const base = path.slice(at);
  const taken: string[] = [];
  const texts: string[] = [];
  let messages = 0;
  let bytes = 0;
  let candidates = 0;
  let claims = 0;
  const tried = new Set<string>(); // a record put back may be listed again
  let entries: import("node:fs").Dir | undefined;
  try {
    fs.mkdirSync(dir || ".", { recursive: true });
    entries = fs.opendirSync(dir || ".");
    // Bounded: up to `max` messages, READ_BUDGET bytes and MAX_CANDIDATES names; the rest wait on disk.
    for (let entry = entries.readSync(); entry !== null; entry = entries.readSync()) {
      if (messages >= max || bytes >= READ_BUDGET || candidates >= MAX_CANDIDATES) break;
      const name = entry.name;
      if (!name.startsWith(base)) continue;
      const suffix = name.slice(base.length);
      const match = RECORD_SUFFIX.exec(suffix);
      if (suffix !== "" && (!match || !writerGone(Number(match[1]), match[2]!))) continue;
      if (tried.has(name)) continue;
      tried.add(name);
      candidates++;
      if (!isRegularFile(fs, dir + name)) continue; // a FIFO, a symlink, a directory: not a record, left alone
      const mine = `${own}.${claims}`;
      try {
        fs.renameSync(dir + name, mine); // atomic: another opener racing for it gets ENOENT
      } catch {
        continue;
      }
      claims++;
      const text = readRecord(fs, mine);
      if (text === undefined) {
        // Not read (no permission, or swapped for something else): back where it was, for a later opener.
        try {
          fs.renameSync(mine, dir + name);
        } catch {
          // left under this writer's name: claimable once it has gone
        }
        continue;
      }
      taken.push(mine); // read: removed once this writer has saved what it restored
      texts.push(text);
      bytes += text.length;
      messages += parseStored(text, Number.POSITIVE_INFINITY).messages.length;
    }
  } catch {
    // no directory, or not readable: nothing (more) to claim
  } finally {
    try {
      entries?.closeSync();
    } catch {
      // already closed
    }
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

/** Whether `file` itself (a symlink not followed) is a regular file. */
function isRegularFile(fs: Fs, file: string): boolean {
  try {
    return fs.lstatSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * A claimed record's text, read without following a symlink or blocking on a FIFO, and only from a
 * regular file of at most MAX_RECORD_BYTES: a larger one is dropped unread (a short text that is not
 * JSON, so the client counts it dropped). `undefined` when it could not be read: it is not removed.
 */
function readRecord(fs: Fs, file: string): string | undefined {
  const { O_RDONLY, O_NOFOLLOW = 0, O_NONBLOCK = 0 } = fs.constants;
  let fd: number;
  try {
    fd = fs.openSync(file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) return undefined;
    if (stat.size > MAX_RECORD_BYTES) return TOO_LARGE;
    const buffer = Buffer.alloc(stat.size + 1); // one byte more: a file that grew since is too large
    let length = 0;
    while (length < buffer.length) {
      const read = fs.readSync(fd, buffer, length, buffer.length - length, length);
      if (read === 0) break;
      length += read;
    }
    return length > MAX_RECORD_BYTES ? TOO_LARGE : buffer.toString("utf8", 0, length);
  } catch {
    return undefined;
  } finally {
    fs.closeSync(fd);
  }
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
