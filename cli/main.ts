#!/usr/bin/env node
// `npx echo-socket`: check a socket.io deployment, or serve the demo. Exit codes: 0 ok, 1 a check
// failed (or serve could not start), 2 bad arguments.
import { readFileSync } from "node:fs";
import { UsageError, parseArgs } from "./args.js";
import { runCheck } from "./check/run.js";
import { CHECK_HELP, MAIN_HELP, SERVE_HELP } from "./help.js";
import type { CheckResult } from "./check/types.js";
import { headerLine, printable, reportJson, resultLines, summaryLine } from "./output.js";

/**
 * The last resort: an error no check caught (a bug, or a server that found one) still ends with a
 * verdict, a FAILED line or valid JSON with `ok: false`, and exit 1, never a bare stack trace.
 */
function lastResort(json: boolean, url: string, checks: readonly CheckResult[]): void {
  let ended = false;
  const end = (error: unknown): void => {
    if (ended) return;
    ended = true;
    const message = error instanceof Error ? error.message : String(error);
    const out = json
      ? `${reportJson({ url, ok: false, exitCode: 1, error: `the check broke: ${message}`, checks })}\n`
      : `FAILED: the check broke: ${printable(message)} (${checks.length} check(s) decided before) (exit 1)\n`;
    process.stdout.write(out, () => process.exit(1));
  };
  process.on("unhandledRejection", end);
  process.on("uncaughtException", end);
}

async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n${error.command ? `See: echo-socket ${error.command} --help\n` : `\n${MAIN_HELP}`}`);
    return 2;
  }
  switch (parsed.command) {
    case "help":
      process.stdout.write(parsed.topic === "check" ? CHECK_HELP : parsed.topic === "serve" ? SERVE_HELP : MAIN_HELP);
      return 0;
    case "version": {
      const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
      process.stdout.write(`${pkg.version}\n`);
      return 0;
    }
    case "check": {
      const { options } = parsed;
      if (!options.json) process.stdout.write(`${headerLine(options)}\n`);
      const decided: CheckResult[] = [];
      lastResort(options.json, options.url, decided);
      const report = await runCheck(options, (result) => {
        decided.push(result);
        if (!options.json) process.stdout.write(`${resultLines(result)}\n`);
      });
      process.stdout.write(options.json ? `${reportJson(report)}\n` : `${summaryLine(report)}\n`);
      return report.exitCode;
    }
    case "serve":
      try {
        // Loaded here, so that `check` runs without the server's packages (optional peer dependencies).
        const { serve } = await import("./serve.js").catch((error: NodeJS.ErrnoException) => {
          if (error.code !== "ERR_MODULE_NOT_FOUND" || !/Cannot find package/.test(error.message)) throw error;
          throw new Error(
            `the demo server needs socket.io and express, optional peer dependencies of echo-socket: npm install socket.io express, or npx -p echo-socket -p socket.io -p express echo-socket serve (${error.message.split("\n")[0]})`,
          );
        });
        await serve(parsed.options);
      } catch (error) {
        const { code, message } = error as NodeJS.ErrnoException;
        const why =
          code === "EADDRINUSE"
            ? `port ${parsed.options.port} on ${parsed.options.host} is in use: pass another --port (0: any free port)`
            : code === "EADDRNOTAVAIL" || code === "ENOTFOUND"
              ? `cannot listen on ${parsed.options.host} (${code}): pass another --host`
              : message;
        process.stderr.write(`echo-socket serve: ${why}\n`);
        return 1;
      }
      return -1; // keeps running until a signal
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code < 0) return;
    // Let stdout drain before exiting (a pipe may still hold the JSON).
    process.stdout.write("", () => process.exit(code));
  },
  (error: unknown) => {
    process.stderr.write(
      `echo-socket: ${(error instanceof Error ? (error.stack ?? error.message) : String(error))
        .split("\n")
        .map((line) => printable(line))
        .join("\n")}\n`,
    );
    process.exit(1);
  },
);
