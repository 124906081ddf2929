import type { UnsentStorage, UnsentWriter } from "./unsent-storage.js";

/**
 * Unsent messages kept in this process's memory (the default in Node): they survive a client being
 * closed and another opened on the same storage object, not a restart. A writer's record is claimed
 * once it has closed.
 */
export function memoryStorage(): UnsentStorage {
  const records = new Map<number, string>();
  const live = new Set<number>();
  let nextWriter = 1;
  return {
    open(claimed) {
      const texts: string[] = [];
      for (const [writer, text] of records) {
        if (live.has(writer)) continue;
        records.delete(writer);
        texts.push(text);
      }
      const writer = nextWriter++;
      live.add(writer);
      if (texts.length > 0) claimed(texts);
      return memoryWriter(records, live, writer);
    },
  };
}

function memoryWriter(records: Map<number, string>, live: Set<number>, writer: number): UnsentWriter {
  return {
    save(text) {
      if (!live.has(writer)) return;
      if (text === undefined) records.delete(writer);
      else records.set(writer, text);
    },
    close() {
      live.delete(writer);
    },
  };
}
