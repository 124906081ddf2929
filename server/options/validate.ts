import { RESERVED_EVENTS } from "../../protocol/index.js";
import { optionError } from "../../protocol/option-error.js";

/** Throws unless `value` is a plain object (or undefined); returns it as a record. */
export function checkOptionsObject(name: string, value: unknown): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw optionError(name, "must be an object", value);
  }
  return value as Record<string, unknown>;
}

/** Throws when `options` holds a key the factory does not know: a typo should not pass silently. */
export function checkKnownKeys(options: Record<string, unknown>, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw optionError(key, `is not an option; the options are ${known.map((k) => `\`${k}\``).join(", ")}`, options[key]);
    }
  }
}

export function checkPath(name: string, value: unknown): string {
  if (typeof value !== "string" || !value.startsWith("/") || value.length < 2 || /[\s?#]/.test(value)) {
    throw optionError(name, 'must be a string starting with "/", with no spaces, "?" or "#"', value);
  }
  return value;
}

export function checkNamespace(name: string, value: unknown): string {
  if (typeof value !== "string" || !value.startsWith("/") || /[\s?#]/.test(value)) {
    throw optionError(name, 'must be a string starting with "/" (use "/" for the main namespace)', value);
  }
  return value;
}

export function checkEventName(name: string, value: unknown): string {
  if (typeof value !== "string" || value.length === 0) {
    throw optionError(name, "must be a non-empty string", value);
  }
  if (RESERVED_EVENTS.includes(value)) {
    throw optionError(name, `must not be an event reserved by socket.io (${RESERVED_EVENTS.join(", ")})`, value);
  }
  return value;
}

export function checkBoolean(name: string, value: unknown): boolean {
  if (typeof value !== "boolean") throw optionError(name, "must be true or false", value);
  return value;
}

/** A safe integer of at least `min` (0 or 1 in practice), and at most `max` when given. */
export function checkWholeNumber(name: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `of ${min} or more` : `from ${min} to ${max}`;
    throw optionError(name, `must be a whole number ${range}`, value);
  }
  return value;
}

/** A function (an adapter constructor or factory, a store factory); undefined too when `optional`. */
// biome-ignore lint/suspicious/noExplicitAny: the caller casts to the constructor or factory type it checked for
export function checkFunction(name: string, value: unknown, expected: string, optional = false): any {
  if (value === undefined && optional) return undefined;
  if (typeof value !== "function") throw optionError(name, `must be ${expected}`, value);
  return value;
}
