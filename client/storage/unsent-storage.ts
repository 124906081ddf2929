/**
 * Where a client keeps the messages it has not yet seen echoed, so that a later client (a reloaded
 * page, a restarted process) sends them. Each client is one writer with a record of its own: no writer
 * overwrites another's, and each record left by a writer that is gone is claimed by one opener only.
 * Records are JSON text; the client parses what it claims as untrusted input.
 */
export interface UnsentStorage {
  /**
   * Starts a writer. `claimed` receives the texts of records left by writers that are gone, each record
   * handed to this opener alone and removed from storage: before `open` settles, and again later if a
   * writer alive at open time goes away (where the storage can tell). `max` is how many messages the
   * opener keeps (its `maxQueued`): a storage may stop claiming once it has handed that many, leaving
   * the other records for a later opener.
   */
  open(claimed: (texts: string[]) => void, max?: number): UnsentWriter | Promise<UnsentWriter>;
}

/** One writer's record. */
export interface UnsentWriter {
  /** Replaces this writer's record with `text`; `undefined` removes it. Never throws or rejects. */
  save(text: string | undefined): void | Promise<void>;
  /** Lets the record go: it stays stored for a later `open` to claim. Calls to `save` after it do nothing. */
  close(): void | Promise<void>;
}

/** What `await` on a writer's `save` or `close` may be given. */
export type MaybePromise<T> = T | Promise<T>;
