/**
 * The delivery envelope: a client sends `emit(sendEvent, data, { echoSocketId })` and the server
 * echoes every argument back, so the id returns with the echo. Plain clients never send one.
 */
export const DELIVERY_KEY = "echoSocketId";

export interface Envelope {
  [DELIVERY_KEY]: string;
}

/** A message id: 1 to 64 characters of base64url (clients make 22: 16 random bytes). */
export const MESSAGE_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** The envelope for message `id`. */
export function envelope(id: string): Envelope {
  return { [DELIVERY_KEY]: id };
}

/** The well-formed message id `value` carries as an envelope (an object, not an array), else undefined. */
export function envelopeId(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const id = (value as Partial<Envelope>)[DELIVERY_KEY];
  return typeof id === "string" && MESSAGE_ID_PATTERN.test(id) ? id : undefined;
}

/** The message id of a sent message: its last argument's envelope. */
export function deliveryId(args: readonly unknown[]): string | undefined {
  return envelopeId(args[args.length - 1]);
}

/** Where an echo's envelope is: after the data and any extra arguments (socket.io's recovery offset may follow it); -1 without one. */
function envelopeIndex(args: readonly unknown[]): number {
  return args.findIndex((arg, i) => i > 0 && envelopeId(arg) !== undefined);
}

/** The message id of an echo. */
export function echoId(args: readonly unknown[]): string | undefined {
  const at = envelopeIndex(args);
  return at > 0 ? envelopeId(args[at]) : undefined;
}

/** An echo's arguments up to the envelope: what follows it (socket.io's recovery offset) is not the sender's. */
export function echoArguments(args: readonly unknown[]): unknown[] {
  const at = envelopeIndex(args);
  return at > 0 ? args.slice(0, at) : [...args];
}
