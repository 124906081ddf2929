import { MESSAGE_ID_PATTERN } from "../protocol/index.js";
import type { MessageEntry } from "./message-log.js";

/** One unsent message as storage holds it: JSON text of a list of these. */
export interface StoredMessage {
  messageId: string;
  data: unknown;
  /** Extra arguments sent after `data`, when there were any. */
  args?: unknown[];
}

/** What earlier clients left: the messages to restore, and how many were left out. */
export interface Restored {
  messages: StoredMessage[];
  /** Entries not restored: past `max`, repeated, or not a message at all. */
  dropped: number;
}

/** Deepest nesting of a stored message's data and arguments (as the server's `maxNestingDepth`): deeper ones are dropped. */
export const MAX_STORED_DEPTH = 32;

/** Longest stored text read at all (UTF-16 units); past it, the whole record is dropped unread. */
export const MAX_STORED_CHARS = 8 * 1024 * 1024;

/**
 * The text to store for `entries` (undefined when none can be kept). Best effort: binary data does
 * not survive JSON, so such messages are left out (they still go out while the client lives).
 */
export function storedText(entries: readonly MessageEntry[]): string | undefined {
  const kept: StoredMessage[] = [];
  for (const { messageId, data, args } of entries) {
    if (!isJsonSafe(data) || (args && !args.every(isJsonSafe))) continue;
    kept.push(args && args.length > 0 ? { messageId, data, args: [...args] } : { messageId, data });
  }
  return kept.length === 0 ? undefined : JSON.stringify(kept);
}

/**
 * The first `max` well-formed messages of one stored record's text, or of several records' in order,
 * each id once. Never throws: what is read back is not trusted, so a text that is not JSON, or too
 * long to read, or not a list, restores nothing (and counts as one dropped entry).
 */
export function parseStored(raw: string | null | readonly string[], max: number): Restored {
  const messages: StoredMessage[] = [];
  const seen = new Set<string>();
  let dropped = 0;
  for (const text of typeof raw === "string" || raw === null ? [raw] : raw) {
    if (text === null || text === "") continue;
    let parsed: unknown;
    try {
      if (text.length <= MAX_STORED_CHARS) parsed = JSON.parse(text);
    } catch {
      // not JSON: restores nothing, as text too long to read does
    }
    if (!Array.isArray(parsed)) dropped++;
    else {
      for (const value of parsed) {
        if (messages.length >= max || !isStoredMessage(value) || seen.has(value.messageId)) dropped++;
        else {
          const { messageId, data, args } = value;
          seen.add(messageId);
          messages.push(args?.length ? { messageId, data, args } : { messageId, data });
        }
      }
    }
  }
  return { messages, dropped };
}

function isStoredMessage(value: unknown): value is StoredMessage {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const { messageId, data, args } = value as Partial<StoredMessage>;
  return (
    typeof messageId === "string" &&
    MESSAGE_ID_PATTERN.test(messageId) &&
    data !== undefined &&
    (args === undefined || Array.isArray(args)) &&
    shallow([data, ...(args ?? [])])
  );
}

/**
 * Whether `value` nests at most `MAX_STORED_DEPTH` deep (data and each argument alike).
 * Iterative: a record nested 200,000 deep must not overflow the stack here, nor later in the socket's encoder.
 */
function shallow(value: unknown): boolean {
  for (let depth = 0, level = [value]; level.length > 0; depth++) {
    if (depth > MAX_STORED_DEPTH + 1) return false; // depth 1: the data and arguments; a value inside 32 arrays is at 33
    level = level.flatMap((node) => (typeof node === "object" && node !== null ? Object.values(node) : []));
  }
  return true;
}

function isJsonSafe(value: unknown): boolean {
  if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) return false;
  if (typeof value === "object" && value !== null) return Object.values(value).every(isJsonSafe);
  return typeof value !== "function" && typeof value !== "bigint" && typeof value !== "symbol" && value !== undefined;
}
