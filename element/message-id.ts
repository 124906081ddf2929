/** A random id for the wire: 16 bytes as base64url. `crypto.getRandomValues` works on http:// pages too. */
export function newMessageId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Must match the server's `READY_EVENT`: the server echoes ids and de-duplicates. */
export const READY_EVENT = "echo-socket:ready";

/** Must match the server's `ERROR_EVENT`: a refusal the client did not ask an acknowledgement for. */
export const ERROR_EVENT = "echo-socket:error";

/** Must match the server's `DELIVERY_KEY`. */
export const DELIVERY_KEY = "echoSocketId";

export interface Envelope {
  [DELIVERY_KEY]: string;
}

/** The message id in an echo's second argument, if the server echoed our envelope back. */
export function envelopeId(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const id = (value as Partial<Envelope>)[DELIVERY_KEY];
  return typeof id === "string" ? id : undefined;
}

/** An echo's arguments up to our envelope: what follows it (socket.io's recovery offset) is not the user's. */
export function echoArguments(args: readonly unknown[]): unknown[] {
  const at = args.findIndex((arg, i) => i > 0 && envelopeId(arg) !== undefined);
  return at > 0 ? args.slice(0, at) : [...args];
}
