// fileStorage against what someone else left next to its path: FIFOs, symlinks, huge files, unreadable
// records, and more records than a client keeps. Each in a real temp directory.
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fileStorage, MAX_STORED_CHARS, parseStored, type UnsentStorage } from "../../client/index.js";

const nodeFs = createRequire(import.meta.url)("node:fs") as typeof fs; // the object fileStorage uses

async function open(storage: UnsentStorage, max?: number) {
  const claimed: string[] = [];
  const writer = await storage.open((texts) => claimed.push(...texts), max);
  return { writer, claimed };
}

const record = (...data: string[]): string => JSON.stringify(data.map((text, i) => ({ messageId: `id-${text.replace(/\W/g, "_")}-${i}`, data: text })));
const dataOf = (texts: string[]): unknown[] => parseStored(texts, 1_000_000).messages.map((message) => message.data);
const DEAD = 2147483646; // a pid no process has
const deadRecord = (file: string, n: number): string => `${file}.${DEAD}.${String(n).padStart(22, "d")}`;

const dirs: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});
function tempPath(): string {
  const dir = fs.mkdtempSync(path.join(tmpdir(), "echo-socket-hostile-"));
  dirs.push(dir);
  return path.join(dir, "unsent");
}
const names = (file: string): string[] => fs.readdirSync(path.dirname(file)).sort();

describe("fileStorage and what is not a record", () => {
  it.skipIf(process.platform === "win32")("leaves a FIFO at a record's name or at the path itself alone, and still claims the real records", () => {
    const file = tempPath();
    execFileSync("mkfifo", [file]);
    execFileSync("mkfifo", [deadRecord(file, 1)]);
    fs.writeFileSync(deadRecord(file, 2), record("real"));
    // In a child with a timeout: reading a FIFO that no one writes blocks for good, which must fail the test, not hang it.
    const child = spawnSync(process.execPath, ["--import", "tsx", path.join(import.meta.dirname, "file-storage-open-process.ts"), file], {
      encoding: "utf8",
      timeout: 30_000,
      killSignal: "SIGKILL",
    });
    expect(child.signal).toBeNull(); // not killed by the timeout
    expect(child.status).toBe(0);
    expect(dataOf(JSON.parse(child.stdout).claimed)).toEqual(["real"]);
    expect(names(file)).toEqual(["unsent", path.basename(deadRecord(file, 1))]); // both FIFOs where they were, the read record gone
    expect(fs.lstatSync(file).isFIFO()).toBe(true);
  });

  it.skipIf(process.platform === "win32")("does not follow a symlink at a record's name, nor at the path itself", async () => {
    const file = tempPath();
    const outside = fs.mkdtempSync(path.join(tmpdir(), "echo-socket-outside-"));
    dirs.push(outside);
    fs.writeFileSync(path.join(outside, "secret"), record("someone else's file"));
    fs.symlinkSync(path.join(outside, "secret"), deadRecord(file, 1));
    fs.symlinkSync(path.join(outside, "secret"), file);
    const opened = await open(fileStorage(file));
    expect(opened.claimed).toEqual([]);
    await opened.writer.save(undefined);
    expect(names(file)).toEqual(["unsent", path.basename(deadRecord(file, 1))]);
    expect(fs.readFileSync(path.join(outside, "secret"), "utf8")).toBe(record("someone else's file")); // untouched
  });

  it("drops a record larger than 3 x MAX_STORED_CHARS bytes unread, counted as one dropped", async () => {
    const file = tempPath();
    fs.writeFileSync(deadRecord(file, 1), "");
    fs.truncateSync(deadRecord(file, 1), 3 * MAX_STORED_CHARS + 1); // sparse: no disk used
    fs.writeFileSync(deadRecord(file, 2), record("small"));
    const opened = await open(fileStorage(file));
    expect(opened.claimed.every((text) => text.length < 1024)).toBe(true); // nothing of the large file was read into it
    expect(parseStored(opened.claimed, 100)).toEqual({ messages: [{ messageId: "id-small-0", data: "small" }], dropped: 1 });
    await opened.writer.save(undefined);
    expect(names(file)).toEqual([]); // dropped: gone, not claimed again
  });
});

describe("fileStorage and a record it cannot read", () => {
  it("puts a record it could not open back under its name, where a later opener reads it", async () => {
    const file = tempPath();
    const name = deadRecord(file, 1);
    fs.writeFileSync(name, record("not lost"));
    // As root no permission is denied, so the refusal is the file system's answer, as for mode 000:
    // every way to read a claimed name (`<path>.<own pid>.…`, not a temporary file) fails with EACCES.
    const claimedName = (target: unknown): boolean => String(target).startsWith(`${file}.${process.pid}.`) && !String(target).includes(".tmp-");
    const deny = <F extends (...args: never[]) => unknown>(real: F): F =>
      ((target: unknown, ...rest: unknown[]) => {
        if (claimedName(target)) throw Object.assign(new Error("EACCES: permission denied"), { code: "EACCES" });
        return (real as unknown as (...args: unknown[]) => unknown)(target, ...rest);
      }) as unknown as F;
    const openDenied = vi.spyOn(nodeFs, "openSync").mockImplementation(deny(nodeFs.openSync));
    const readDenied = vi.spyOn(nodeFs, "readFileSync").mockImplementation(deny(nodeFs.readFileSync));
    const first = await open(fileStorage(file));
    expect(openDenied.mock.calls.length + readDenied.mock.calls.length).toBeGreaterThan(0); // it did try
    expect(first.claimed).toEqual([]);
    await first.writer.save(record("first's own")); // its first save: what it claimed and read goes, nothing else
    await first.writer.close();
    expect(fs.readFileSync(name, "utf8")).toBe(record("not lost"));
    vi.restoreAllMocks();
    const second = await open(fileStorage(file));
    expect(dataOf(second.claimed).sort()).toEqual(["first's own", "not lost"]);
  });

  it.skipIf(process.platform === "win32" || process.getuid?.() === 0)("keeps a mode 000 record (not testable as root: root reads it)", async () => {
    const file = tempPath();
    fs.writeFileSync(deadRecord(file, 1), record("not lost"));
    fs.chmodSync(deadRecord(file, 1), 0);
    const first = await open(fileStorage(file));
    expect(first.claimed).toEqual([]);
    await first.writer.save(undefined);
    expect(names(file)).toEqual([path.basename(deadRecord(file, 1))]);
  });

  it("leaves a directory at a record's name as it is", async () => {
    const file = tempPath();
    fs.mkdirSync(deadRecord(file, 1));
    const opened = await open(fileStorage(file));
    await opened.writer.save(record("own"));
    expect(opened.claimed).toEqual([]);
    expect(names(file).filter((name) => fs.statSync(path.join(path.dirname(file), name)).isDirectory())).toEqual([path.basename(deadRecord(file, 1))]);
  });
});

describe("fileStorage with more records than a client keeps", () => {
  it("claims until it holds max messages and leaves the other records for a later opener", async () => {
    const file = tempPath();
    for (let n = 0; n < 50; n++) fs.writeFileSync(deadRecord(file, n), record(`m${n}a`, `m${n}b`));
    const first = await open(fileStorage(file), 10);
    expect(dataOf(first.claimed)).toHaveLength(10); // five records of two
    await first.writer.save(undefined);
    expect(names(file)).toHaveLength(45);
    const rest: unknown[] = [...dataOf(first.claimed)];
    for (let opens = 0; opens < 9; opens++) {
      const next = await open(fileStorage(file), 10);
      rest.push(...dataOf(next.claimed));
      await next.writer.save(undefined);
    }
    expect(names(file)).toEqual([]);
    expect(new Set(rest).size).toBe(100); // every message, each once
  });

  it("tries at most 1000 record names in one open, however many there are", async () => {
    const file = tempPath();
    for (let n = 0; n < 1500; n++) fs.writeFileSync(deadRecord(file, n), "[]"); // no messages: max is never reached
    const first = await open(fileStorage(file));
    expect(first.claimed).toHaveLength(1000);
    await first.writer.save(undefined);
    expect(names(file)).toHaveLength(500);
  });
});
