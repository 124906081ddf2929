/**
 * A setup error in the words every half of echo-socket uses (the server's and the client's options,
 * the router's): the option, what it takes, what it got. It starts with the package name so it is easy
 * to spot in a stack of logs. Not part of the wire: `protocol/index.ts` does not export it.
 */
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
