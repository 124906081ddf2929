import type { MessageEntry } from "./message-log.js";

interface StoredMessage {
  messageId: string;
  data: unknown;
}

/** What an earlier page left: the messages to restore, and how many were left out. */
export interface Restored {
  messages: StoredMessage[];
  /** Entries not restored: past `max`, repeated, or not a message at all. */
  dropped: number;
}

/** Longest stored text read at all (UTF-16 units); past it, the whole key is dropped unread. */
export const MAX_STORED_CHARS = 8 * 1024 * 1024;

/** This element's ids are 22 characters of base64url; anything else in storage was not written by it. */
const MESSAGE_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Keeps unsent messages in `localStorage`, so they go out after a page reload. Best effort: storage
 * can be full or blocked, and binary data does not survive JSON, so such messages are not kept.
 * What is read back is not trusted: any text, of any size or shape, restores at most `max` messages.
 */
export class UnsentStore {
  constructor(private readonly key: string) {}

  /** Reads and removes what an earlier page left (so two elements never both re-send it): the first `max` messages. */
  take(max: number): Restored {
    let raw: string | null;
    try {
      raw = localStorage.getItem(this.key);
      localStorage.removeItem(this.key);
    } catch {
      return { messages: [], dropped: 0 }; // storage blocked
    }
    return parseStored(raw, max);
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

/**
 * The first `max` well-formed messages of a stored list, each id once. Never throws: text that is not
 * JSON, or too long to read, or not a list, restores nothing (and counts as one dropped entry).
 */
export function parseStored(raw: string | null, max: number): Restored {
  if (raw === null || raw === "") return { messages: [], dropped: 0 };
  let parsed: unknown;
  try {
    if (raw.length <= MAX_STORED_CHARS) parsed = JSON.parse(raw);
  } catch {
    // not JSON: restores nothing, as text too long to read does
  }
  if (!Array.isArray(parsed)) return { messages: [], dropped: 1 };
  const messages: StoredMessage[] = [];
  const seen = new Set<string>();
  for (const value of parsed) {
    if (messages.length >= max) break;
    if (!isStoredMessage(value) || seen.has(value.messageId)) continue;
    seen.add(value.messageId);
    messages.push({ messageId: value.messageId, data: value.data });
  }
  return { messages, dropped: parsed.length - messages.length };
}

function isStoredMessage(value: unknown): value is StoredMessage {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const { messageId, data } = value as Partial<StoredMessage>;
  return typeof messageId === "string" && MESSAGE_ID.test(messageId) && data !== undefined;
}

function isJsonSafe(value: unknown): boolean {
  if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) return false;
  if (typeof value === "object" && value !== null) return Object.values(value).every(isJsonSafe);
  return typeof value !== "function" && typeof value !== "bigint" && typeof value !== "symbol" && value !== undefined;
}
