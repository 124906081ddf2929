import { newMessageId } from "../message-id.js";
import type { UnsentStorage, UnsentWriter } from "./unsent-storage.js";
import { IF_AVAILABLE, lock, type HeldLock } from "./web-locks.js";

/** A writer's own record: `<key>:<22 characters of base64url>`. */
const WRITER_SUFFIX = /^:[A-Za-z0-9_-]{22}$/;

/**
 * Unsent messages in `localStorage` under `key` (the browser default), safe with several tabs of one
 * page. Each live writer holds a Web Lock named after its record for its lifetime: the first takes
 * `key` itself (the record earlier versions wrote, so a single tab stores as before), others
 * `<key>:<writer id>`. Opening claims every record whose lock is free (lock, read, remove, release:
 * one opener gets each), and waits in the background for the locks of records whose writers are still
 * open, claiming each as its tab closes. Without Web Locks (insecure pages, old browsers) each writer
 * has a record of its own and opening takes every record there is.
 */
export function localStorageStorage(key: string): UnsentStorage {
  return { open: (claimed, max) => openLocal(key, claimed, max) };
}

async function openLocal(key: string, claimed: (texts: string[]) => void, max = 100): Promise<UnsentWriter> {
  // Web Locks exist in secure contexts of current browsers.
  const locks = typeof navigator === "object" ? navigator.locks : undefined;
  const watching = new AbortController();
  let own = `${key}:${newMessageId()}`;
  let held: HeldLock | undefined;
  const texts: string[] = [];
  if (locks) {
    held = await lock(locks, key, IF_AVAILABLE);
    if (held) {
      own = key; // what a writer that is gone left here is now ours to send
      pushTaken(texts, key);
    } else held = await lock(locks, own, IF_AVAILABLE);
  }
  // At most `max` other records (each holds a message or more): the rest wait for a later page,
  // rather than one lock request each now (46,593 records took minutes, and sent nothing meanwhile).
  for (const record of records(key).slice(0, max)) {
    if (record === own) continue;
    if (!locks) {
      pushTaken(texts, record);
      continue;
    }
    const free = await lock(locks, record, IF_AVAILABLE);
    if (free) {
      pushTaken(texts, record);
      free.release();
    } else void claimWhenFree(locks, record, watching.signal, claimed);
  }
  if (texts.length > 0) claimed(texts);
  let open = true;
  return {
    save(text) {
      if (!open) return;
      try {
        if (text === undefined) localStorage.removeItem(own);
        else localStorage.setItem(own, text);
      } catch {
        // Storage full or blocked: the messages still go out while the page stays open.
      }
    },
    close() {
      open = false;
      watching.abort();
      held?.release();
    },
  };
}

/** Claims `record` once its writer lets its lock go (closes, or its tab does). */
async function claimWhenFree(locks: LockManager, record: string, signal: AbortSignal, claimed: (texts: string[]) => void): Promise<void> {
  const freed = await lock(locks, record, { signal });
  if (!freed) return;
  const texts: string[] = [];
  if (!signal.aborted) pushTaken(texts, record);
  freed.release();
  if (texts.length > 0) claimed(texts);
}

/** Every record under `key`: `key` itself and the writers' `<key>:<id>`. */
function records(key: string): string[] {
  const found: string[] = [];
  try {
    for (let i = 0; i < localStorage.length; i++) {
      const name = localStorage.key(i);
      if (name === key || (name?.startsWith(key) && WRITER_SUFFIX.test(name.slice(key.length)))) found.push(name);
    }
  } catch {
    // storage blocked: nothing to claim
  }
  return found;
}

/** Reads and removes `record`, adding its text to `texts`. */
function pushTaken(texts: string[], record: string): void {
  try {
    const text = localStorage.getItem(record);
    localStorage.removeItem(record);
    if (text !== null && text !== "") texts.push(text);
  } catch {
    // storage blocked
  }
}
