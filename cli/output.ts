// What a person reads (one line per check, as each is decided) and what a machine reads (one JSON object).
import type { CheckReport } from "./check/run.js";
import type { CheckOptions, CheckResult } from "./check/types.js";

const NAME_WIDTH = 9;

export function headerLine(options: CheckOptions): string {
  const origin = options.origin ? `, origin ${options.origin}` : "";
  const hold = options.holdSeconds ? `, hold ${options.holdSeconds} s` : "";
  return `echo-socket check ${options.url} (path ${options.path}, events ${options.send} → ${options.reply}, ${options.messages} messages${origin}${hold})`;
}

export function resultLines(result: CheckResult): string {
  const lines = [`${result.verdict.padEnd(4)}  ${result.name.padEnd(NAME_WIDTH)}  ${result.detail}`];
  if (result.fix) {
    const [first, ...rest] = result.fix.split("\n");
    lines.push(`${" ".repeat(6 + NAME_WIDTH)}  fix: ${first}`);
    for (const line of rest) lines.push(`${" ".repeat(6 + NAME_WIDTH)}       ${line}`);
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

export function reportJson(report: CheckReport): string {
  return JSON.stringify(report, null, 2);
}
