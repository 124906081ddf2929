// Where unsent messages wait: each writer has a record of its own, and each record a writer left is
// claimed once. fileStorage is checked across instances (two "processes" of one test) and real pids.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { EchoClient, fileStorage, memoryStorage, parseStored, type UnsentStorage } from "../../client/index.js";
import { startServer } from "../server/helpers.js";
import { spawnNode, stopChild } from "../support/spawn-node.mjs";

/** Opens a writer on `storage`, collecting every text it is handed (now or later). */
async function open(storage: UnsentStorage) {
  const claimed: string[] = [];
  const writer = await storage.open((texts) => claimed.push(...texts));
  return { writer, claimed };
}

const record = (...data: string[]): string => JSON.stringify(data.map((text, i) => ({ messageId: `id-${text.replace(/\W/g, "_")}-${i}`, data: text })));
const dataOf = (texts: string[]): unknown[] => parseStored(texts, 100).messages.map((message) => message.data);

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempPath(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "echo-socket-storage-"));
  dirs.push(dir);
  return path.join(dir, "unsent");
}

describe("memoryStorage", () => {
  it("keeps each writer's record apart, and hands a closed writer's record to one later opener", async () => {
    const storage = memoryStorage();
    const a = await open(storage);
    const b = await open(storage);
    await a.writer.save(record("a1", "a2"));
    await b.writer.save(record("b1"));
    const whileOpen = await open(storage);
    expect(whileOpen.claimed).toEqual([]); // both writers are alive
    await a.writer.close();
    await b.writer.close();
    await a.writer.save(record("after close")); // ignored
    const next = await open(storage);
    expect(dataOf(next.claimed)).toEqual(["a1", "a2", "b1"]);
    const after = await open(storage);
    expect(after.claimed).toEqual([]);
  });

  it("removes a record saved as nothing", async () => {
    const storage = memoryStorage();
    const a = await open(storage);
    await a.writer.save(record("x"));
    await a.writer.save(undefined);
    await a.writer.close();
    expect((await open(storage)).claimed).toEqual([]);
  });
});

describe("fileStorage", () => {
  it("writes each instance's record to its own file, atomically, and a later instance claims a closed one's", async () => {
    const file = tempPath();
    const first = await open(fileStorage(file));
    const second = await open(fileStorage(file));
    await first.writer.save(record("one", "two"));
    await second.writer.save(record("three"));
    const files = readdirSync(path.dirname(file));
    expect(files).toHaveLength(2); // one each, no temporary file left behind
    expect(files.every((name) => new RegExp(`^unsent\\.${process.pid}\\.[A-Za-z0-9_-]{22}$`).test(name))).toBe(true);

    expect((await open(fileStorage(file))).claimed).toEqual([]); // both instances still open
    await first.writer.close();
    const third = await open(fileStorage(file));
    expect(dataOf(third.claimed)).toEqual(["one", "two"]);
    await third.writer.save(record("one", "two", "four")); // what it claimed is in its own record now
    expect(readdirSync(path.dirname(file))).toHaveLength(2);
    await second.writer.close();
    await third.writer.close();
    const fourth = await open(fileStorage(file));
    expect(dataOf(fourth.claimed).sort()).toEqual(["four", "one", "three", "two"]);
    expect((await open(fileStorage(file))).claimed).toEqual([]);
  });

  it("claims the file of a process that no longer runs, and leaves a running process's", async () => {
    const file = tempPath();
    writeFileSync(`${file}.2147483646.${"d".repeat(22)}`, record("from a dead process"));
    writeFileSync(`${file}.${process.ppid}.${"l".repeat(22)}`, record("from a live process"));
    writeFileSync(file, record("left at the path itself"));
    writeFileSync(`${file}.notes`, "not a record");
    const opened = await open(fileStorage(file));
    expect(dataOf(opened.claimed).sort()).toEqual(["from a dead process", "left at the path itself"]);
    await opened.writer.save(undefined); // nothing to keep: the claimed files go
    expect(readdirSync(path.dirname(file)).sort()).toEqual([`unsent.${process.ppid}.${"l".repeat(22)}`, "unsent.notes"]);
  });

  it("keeps a claimed file under the claimer's name until the claimer has saved, so a crash in between loses nothing", async () => {
    const file = tempPath();
    writeFileSync(`${file}.2147483646.${"d".repeat(22)}`, record("kept"));
    const crashed = await open(fileStorage(file));
    expect(dataOf(crashed.claimed)).toEqual(["kept"]);
    await crashed.writer.close(); // as good as a crash: it never saved
    expect(dataOf((await open(fileStorage(file))).claimed)).toEqual(["kept"]);
  });

  it("never throws from a save, even with its directory gone", async () => {
    const file = tempPath();
    const opened = await open(fileStorage(file));
    rmSync(path.dirname(file), { recursive: true, force: true });
    expect(() => opened.writer.save(record("nowhere to go"))).not.toThrow();
    expect(() => opened.writer.save(undefined)).not.toThrow();
  });

  it("writes the stored messages' JSON", async () => {
    const file = tempPath();
    const opened = await open(fileStorage(file));
    await opened.writer.save(record("as written"));
    const [name] = readdirSync(path.dirname(file));
    expect(readFileSync(path.join(path.dirname(file), name!), "utf8")).toBe(record("as written"));
  });
});

describe("parseStored over several records", () => {
  it("restores at most max messages over all records, each id once, counting the rest as dropped", () => {
    const a = JSON.stringify([
      { messageId: "same", data: "a" },
      { messageId: "a2", data: "a2" },
    ]);
    const b = JSON.stringify([
      { messageId: "same", data: "b" },
      { messageId: "b2", data: "b2", args: [1, 2] },
    ]);
    expect(parseStored([a, b, "not json"], 10)).toEqual({
      messages: [
        { messageId: "same", data: "a" },
        { messageId: "a2", data: "a2" },
        { messageId: "b2", data: "b2", args: [1, 2] },
      ],
      dropped: 2,
    });
    expect(parseStored([a, b], 2).messages.map((message) => message.data)).toEqual(["a", "a2"]);
  });
});

describe("fileStorage across a process crash", () => {
  it("lets a new process send what a SIGKILLed one had not delivered", async () => {
    const file = tempPath();
    const server = await startServer();
    const port = new URL(server.url).port;
    await server.close(); // the crashed process's server is down
    const script = path.join(import.meta.dirname, "unsent-writer-process.ts");
    const { child } = await spawnNode(script, { nodeArgs: ["--import", "tsx"], args: [file, server.url, "kept 1", "kept 2"], ready: /sent 2/ });
    const stored = (): unknown[] => {
      const names = readdirSync(path.dirname(file)).filter((name) => !name.includes(".tmp-"));
      return dataOf(names.map((name) => readFileSync(path.join(path.dirname(file), name), "utf8")));
    };
    while (stored().length < 2) await new Promise((resolve) => setTimeout(resolve, 10)); // its debounced save
    await stopChild(child); // SIGKILL: no goodbye, no final save

    const restarted = await startServer({}, Number(port));
    const client = new EchoClient({ url: restarted.url, storage: fileStorage(file) });
    try {
      const echoed: unknown[] = [];
      await new Promise<void>((resolve) =>
        client.on("entry", ({ entry }) => {
          if (entry.state === "echoed") echoed.push(entry.data);
          if (echoed.length === 2) resolve();
        }),
      );
      expect(echoed).toEqual(["kept 1", "kept 2"]);
      expect(restarted.handle.stats().echoes).toBe(2);
    } finally {
      client.close();
      await restarted.close();
    }
  });
});
