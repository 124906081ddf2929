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

/** An option's error, in the words `attachEchoSocket()` uses: the option, what it takes, what it got. */
export function optionError(option: string, expected: string, got: unknown): TypeError {
  return new TypeError(`echo-socket: \`${option}\` ${expected} (got ${describe(got)})`);
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "function") return "a function";
  if (Array.isArray(value)) return "an array";
  if (value === null) return "null";
  if (typeof value === "object") return "an object";
  return String(value);
}
