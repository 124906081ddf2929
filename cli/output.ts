// What a person reads (one line per check, as each is decided) and what a machine reads (one JSON object).
import type { CheckReport } from "./check/run.js";
import type { CheckOptions, CheckResult } from "./check/types.js";

const NAME_WIDTH = 9;
/** Most characters of one printed detail or fix line: server-controlled text can be any length. */
export const MAX_PRINTED = 2000;

// C0 and C1 controls (ESC, CSI U+009B, BEL, ...) and the bidirectional overrides and isolates, which
// reorder what a terminal shows.
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters escaped
const UNPRINTABLE = /[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;
// What JSON.stringify leaves as is.
const JSON_UNSAFE = /[\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;

/** `text` safe for a terminal: every control and bidi character shown as an escape (`\x1b`, `\u202e`), at most `max` characters. */
export function printable(text: string, max = MAX_PRINTED): string {
  const clipped = text.length > max ? `${text.slice(0, max)}… (${text.length - max} more characters)` : text;
  return clipped.replace(UNPRINTABLE, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}

export function headerLine(options: CheckOptions): string {
  const origin = options.origin ? `, origin ${options.origin}` : "";
  const hold = options.holdSeconds ? `, hold ${options.holdSeconds} s` : "";
  return printable(
    `echo-socket check ${options.url} (path ${options.path}, events ${options.send} → ${options.reply}, ${options.messages} messages${origin}${hold})`,
  );
}

export function resultLines(result: CheckResult): string {
  const lines = [`${result.verdict.padEnd(4)}  ${result.name.padEnd(NAME_WIDTH)}  ${printable(result.detail)}`];
  if (result.fix) {
    const [first, ...rest] = result.fix.split("\n");
    lines.push(`${" ".repeat(6 + NAME_WIDTH)}  fix: ${printable(first ?? "")}`);
    for (const line of rest) lines.push(`${" ".repeat(6 + NAME_WIDTH)}       ${printable(line)}`);
  }
  return lines.join("\n");
}

export function summaryLine(report: CheckReport): string {
  const count = (verdict: string): number => report.checks.filter((check) => check.verdict === verdict).length;
  const parts = [`${count("pass")} passed`];
  if (count("fail")) parts.push(`${count("fail")} failed`);
  if (count("warn")) parts.push(`${count("warn")} warning${count("warn") > 1 ? "s" : ""}`);
  if (count("skip")) parts.push(`${count("skip")} skipped`);
  return `${report.ok ? "ok" : "FAILED"}: ${parts.join(", ")} in ${(report.elapsedMs / 1000).toFixed(1)} s (exit ${report.exitCode})`;
}

/** The report as JSON; JSON.stringify escapes C0 controls, and the C1 controls and bidi characters are escaped too (still the same JSON value). */
export function reportJson(report: CheckReport | Record<string, unknown>): string {
  return JSON.stringify(report, null, 2).replace(JSON_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
