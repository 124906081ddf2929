import { optionError } from "../../protocol/option-error.js";

/** The part of `console` echo-socket logs through; pino, winston and bunyan loggers fit too. */
export interface Logger {
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
  debug?(...args: unknown[]): void;
}

const PREFIX = "[echo-socket]";

/** The default: `console`, with a prefix so our lines stand out. */
export const consoleLogger: Logger = {
  info: (...args) => console.info(PREFIX, ...args),
  warn: (...args) => console.warn(PREFIX, ...args),
  error: (...args) => console.error(PREFIX, ...args),
  debug: (...args) => console.debug(PREFIX, ...args),
};

const noop = (): void => {};
export const silentLogger: Logger = { info: noop, warn: noop, error: noop, debug: noop };

export function checkLogger(name: string, value: unknown): Logger {
  if (value === false) return silentLogger;
  const candidate = value as Partial<Logger> | null;
  const ok =
    typeof candidate === "object" && candidate !== null && (["info", "warn", "error"] as const).every((method) => typeof candidate[method] === "function");
  if (!ok) throw optionError(name, "must be false or an object with info, warn and error functions (like console)", value);
  return candidate as Logger;
}
