/** Why `send()` or `retry()` refused: the offline queue is full, or the client was closed. */
export type EchoClientErrorCode = "queue_full" | "closed";

/** An error the client throws on purpose, with a machine-readable `code`. */
export class EchoClientError extends Error {
  constructor(
    readonly code: EchoClientErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "EchoClientError";
  }
}
