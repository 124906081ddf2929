import type { MessageEntry } from "./message-log.js";

interface StoredMessage {
  messageId: string;
  data: unknown;
}

/**
 * Keeps unsent messages in `localStorage`, so they go out after a page reload. Best effort: storage
 * can be full or blocked, and binary data does not survive JSON, so such messages are not kept.
 */
export class UnsentStore {
  constructor(private readonly key: string) {}

  /** Reads and removes what an earlier page left, so two elements never both re-send it. */
  take(): StoredMessage[] {
    try {
      const raw = localStorage.getItem(this.key);
      localStorage.removeItem(this.key);
      const parsed: unknown = raw ? JSON.parse(raw) : [];
      return Array.isArray(parsed) ? parsed.filter(isStoredMessage) : [];
    } catch {
      return [];
    }
  }

  save(entries: readonly MessageEntry[]): void {
    const kept: StoredMessage[] = entries
      .filter((entry) => isJsonSafe(entry.data))
      .map(({ messageId, data }) => ({ messageId, data }));
    try {
      if (kept.length === 0) localStorage.removeItem(this.key);
      else localStorage.setItem(this.key, JSON.stringify(kept));
    } catch {
      // Storage full or blocked: the messages still go out while the page stays open.
    }
  }
}

function isStoredMessage(value: unknown): value is StoredMessage {
  return typeof value === "object" && value !== null && typeof (value as StoredMessage).messageId === "string";
}

function isJsonSafe(value: unknown): boolean {
  if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) return false;
  if (typeof value === "object" && value !== null) return Object.values(value).every(isJsonSafe);
  return typeof value !== "function" && typeof value !== "bigint" && typeof value !== "symbol" && value !== undefined;
}
