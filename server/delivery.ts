/**
 * The delivery envelope: `<echo-socket>` sends `emit(receiveEvent, data, { echoSocketId })` and the
 * server echoes every argument back, so the id returns with the echo. Plain clients never send one.
 */
export const DELIVERY_KEY = "echoSocketId";

const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** The message id in `args`' last argument, if it is a well-formed envelope; otherwise undefined. */
export function deliveryId(args: readonly unknown[]): string | undefined {
  const last = args[args.length - 1];
  if (typeof last !== "object" || last === null || Array.isArray(last)) return undefined;
  const id = (last as Record<string, unknown>)[DELIVERY_KEY];
  return typeof id === "string" && ID_PATTERN.test(id) ? id : undefined;
}
