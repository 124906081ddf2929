import { newMessageId } from "../message-id.js";
import type { UnsentStorage, UnsentWriter } from "./unsent-storage.js";
import { type HeldLock, IF_AVAILABLE, lock } from "./web-locks.js";

/** A writer's own record: `<key>:<22 characters of base64url>`. */
const WRITER_SUFFIX = /^:[A-Za-z0-9_-]{22}$/;

/**
 * Claims the records under `key` that writers left (every one but `own`, at most `max`), handing
 * their texts to `claimed`; settles once those whose lock was free are claimed. See `claimRecords`.
 */
export type ClaimRecords = (own: string, locks: LockManager | undefined, signal: AbortSignal) => Promise<unknown>;

/**
 * Unsent messages in `localStorage` under `key` (the browser default), safe with several tabs of one
 * page. Each live writer holds a Web Lock named after its record for its lifetime: the first takes
 * `key` itself when it is empty (the record earlier versions wrote, so a single tab stores as before),
 * others (and one that finds `key` holding messages) `<key>:<writer id>`. Opening claims every record
 * whose lock is free (lock, read, remove, release: one opener gets each), and waits in the background
 * for the locks of records whose writers are still open, claiming each as its tab closes. Without Web
 * Locks (insecure pages, old browsers) each writer has a record of its own and opening takes every
 * record there is.
 */
export function localStorageStorage(key: string): UnsentStorage {
  return { open: (claimed, max = 100) => openLocal(key, (own, locks, signal) => claimRecords(key, own, locks, signal, claimed, max)) };
}

/**
 * The writer half of `localStorageStorage`. With nothing to claim (no record under `key` holds
 * anything) the writer is handed over at once, so sending does not wait for Web Locks (a lock request
 * took 18-35 ms of a page load in Chromium); it learns which record is its own when its lock comes,
 * writing what it was given meanwhile then (or, should it close first, into a record of its own).
 * Otherwise it waits for that and for `claim`, so what other writers left goes out before this
 * writer's messages. The standalone element loads `claim` on demand (element/extras.ts): should that
 * fail, the records stay stored for a later page, and this writer's messages are saved beside them.
 */
export function openLocal(key: string, claim: ClaimRecords): UnsentWriter | Promise<UnsentWriter> {
  // Web Locks exist in secure contexts of current browsers.
  const locks = typeof navigator === "object" ? navigator.locks : undefined;
  const watching = new AbortController();
  let own: string | undefined;
  /** What to write once `own` is known (`null`: nothing given yet). */
  let unwritten: string | undefined | null = null;
  let held: HeldLock | undefined;
  let open = true;
  const write = (record: string, text: string | undefined): void => {
    try {
      if (text === undefined) localStorage.removeItem(record);
      else localStorage.setItem(record, text);
    } catch {
      // Storage full or blocked: the messages still go out while the page stays open.
    }
  };
  const writer: UnsentWriter = {
    save(text) {
      if (!open) return;
      if (own) write(own, text);
      else unwritten = text;
    },
    close() {
      open = false;
      watching.abort();
      held?.release();
      if (!own && unwritten) write(`${key}:${newMessageId()}`, unwritten);
    },
  };
  const takeOwn = async (): Promise<void> => {
    let mine = `${key}:${newMessageId()}`;
    held = locks && (await lock(locks, key, IF_AVAILABLE));
    // `key` is ours while it is empty; holding messages a writer that is gone left, it is claimed as any other record.
    if (held && !records(key).includes(key)) mine = key;
    else if (locks) {
      held?.release();
      held = await lock(locks, mine, IF_AVAILABLE);
    }
    if (!open) return held?.release();
    own = mine;
    if (unwritten !== null) write(own, unwritten);
  };
  if (records(key).length === 0) {
    void takeOwn();
    return writer;
  }
  return takeOwn().then(async () => {
    try {
      await claim(own!, locks, watching.signal);
    } catch {
      // not claimed (the element's extras did not load): the records stay stored for a later page
    }
    return writer;
  });
}

/**
 * Claims the records under `key` but `own`: at most `max` (each holds a message or more; the rest wait
 * for a later page, rather than one lock request each now: 46,593 records took minutes, and sent
 * nothing meanwhile). A record whose lock is free is claimed now; one whose writer is still open, as
 * it lets its lock go (until `signal` aborts).
 */
export async function claimRecords(
  key: string,
  own: string,
  locks: LockManager | undefined,
  signal: AbortSignal,
  claimed: (texts: string[]) => void,
  max: number,
): Promise<void> {
  const texts: string[] = [];
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
    } else void claimWhenFree(locks, record, signal, claimed);
  }
  if (texts.length > 0) claimed(texts);
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

/** Every record under `key` holding text: `key` itself and the writers' `<key>:<id>`. */
function records(key: string): string[] {
  const found: string[] = [];
  try {
    for (let i = 0; i < localStorage.length; i++) {
      const name = localStorage.key(i);
      if ((name === key || (name?.startsWith(key) && WRITER_SUFFIX.test(name.slice(key.length)))) && localStorage.getItem(name!)) found.push(name!);
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
