// `echo-socket` arguments: every flag's default, every malformed or unknown one refused with a
// message that names it and what is allowed (the CLI exits 2 on these).
import { describe, expect, it } from "vitest";
import { DEFAULT_ECHO_EVENT, DEFAULT_PATH, DEFAULT_SEND_EVENT } from "../../protocol/index.js";
import { CHECK_FLAGS, SERVE_FLAGS, UsageError, parseArgs } from "../../cli/args.js";
import { CHECK_HELP, SERVE_HELP } from "../../cli/help.js";

const refusal = (argv: string[], env: Record<string, string> = {}): string => {
  try {
    parseArgs(argv, env);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error(`accepted: ${argv.join(" ")}`);
};

describe("echo-socket check arguments", () => {
  it("defaults every flag from protocol/ and the documented values", () => {
    expect(parseArgs(["check", "http://localhost:3000"])).toEqual({
      command: "check",
      options: {
        url: "http://localhost:3000",
        path: DEFAULT_PATH,
        origin: undefined,
        send: DEFAULT_SEND_EVENT,
        reply: DEFAULT_ECHO_EVENT,
        messages: 100,
        holdSeconds: 0,
        timeoutSeconds: 5,
        json: false,
      },
    });
  });

  it("reads every flag, in --name value and --name=value forms, and ws(s) URLs as http(s)", () => {
    const parsed = parseArgs([
      "check",
      "wss://chat.example.com:8443",
      "--path=/ws/",
      "--origin",
      "https://example.com",
      "--send",
      "chat",
      "--reply=chat",
      "--messages",
      "5",
      "--hold",
      "1.5",
      "--timeout=0.5",
      "--json",
    ]);
    expect(parsed).toEqual({
      command: "check",
      options: {
        url: "https://chat.example.com:8443",
        path: "/ws",
        origin: "https://example.com",
        send: "chat",
        reply: "chat",
        messages: 5,
        holdSeconds: 1.5,
        timeoutSeconds: 0.5,
        json: true,
      },
    });
  });

  it.each([
    [["check"], "a URL is needed"],
    [["check", "localhost:3000"], 'the URL must start with http://, https://, ws:// or wss:// (got "localhost:3000") (did you mean http://localhost:3000?)'],
    [["check", "ftp://example.com"], "the URL must start with http://"],
    [["check", "http://example.com/socket.io/"], "pass its socket.io path with --path"],
    [["check", "http://example.com?x=1"], "without a query or fragment"],
    [["check", "http://a", "http://b"], "one URL only"],
    [
      ["check", "http://a", "--frobnicate"],
      "unknown option --frobnicate (allowed: --path, --origin, --send, --reply, --messages, --hold, --timeout, --json, --help)",
    ],
    [["check", "http://a", "-x"], "unknown option -x"],
    [["check", "http://a", "--messages"], "--messages needs a value: --messages <n>"],
    [["check", "http://a", "--messages", "0"], '--messages must be a whole number from 1 to 10000 (got "0")'],
    [["check", "http://a", "--messages", "1.5"], '--messages must be a whole number from 1 to 10000 (got "1.5")'],
    [["check", "http://a", "--messages", "lots"], '--messages must be a whole number from 1 to 10000 (got "lots")'],
    [["check", "http://a", "--hold", "-1"], '--hold must be a number from 0 to 3600 (got "-1")'],
    [["check", "http://a", "--timeout", "0"], '--timeout must be a number from 0.1 to 60 (got "0")'],
    [["check", "http://a", "--path", "socket.io"], '--path must be a path starting with "/"'],
    [
      ["check", "http://a", "--origin", "https://example.com/page"],
      '--origin must be an origin such as https://example.com (scheme, host, port; no path) (got "https://example.com/page")',
    ],
    [["check", "http://a", "--send", "connect"], "--send must be an event name of 1 to 200 characters, not one socket.io reserves"],
    [["check", "http://a", "--json=yes"], '--json takes no value (got "yes")'],
    [["check", "http://a", "--json", "--json"], "--json is given twice"],
    [["frob"], 'unknown command "frob" (allowed: check, serve, help)'],
    [[], "a command is needed (allowed: check, serve, help)"],
  ])("refuses %j: %s", (argv, message) => {
    expect(refusal(argv)).toContain(message);
  });

  it("answers --help and -h with the command's help, which lists every flag and the run's bound", () => {
    expect(parseArgs(["check", "--help"])).toEqual({ command: "help", topic: "check" });
    expect(parseArgs(["check", "http://a", "-h"])).toEqual({ command: "help", topic: "check" });
    expect(parseArgs(["help", "serve"])).toEqual({ command: "help", topic: "serve" });
    for (const flag of CHECK_FLAGS) expect(CHECK_HELP).toContain(`--${flag.name}`);
    for (const flag of SERVE_FLAGS) expect(SERVE_HELP).toContain(`--${flag.name}`);
    expect(CHECK_HELP).toContain("12 × --timeout + --hold");
    expect(CHECK_HELP).toContain("60 s with the defaults");
  });
});

describe("echo-socket serve arguments", () => {
  it("defaults to PORT and HOST from the environment, else 3000 and localhost, every origin, no Redis", () => {
    expect(parseArgs(["serve"], {})).toEqual({ command: "serve", options: { port: 3000, host: "localhost", allowedOrigins: "*", redis: undefined } });
    expect(parseArgs(["serve"], { PORT: "0", HOST: "127.0.0.1" })).toMatchObject({ options: { port: 0, host: "127.0.0.1" } });
    expect(parseArgs(["serve", "--port", "8080"], { PORT: "0" })).toMatchObject({ options: { port: 8080 } });
  });

  it("reads allowed origins and a Redis URL", () => {
    expect(parseArgs(["serve", "--allowed-origins", "https://a.example, http://localhost:8080", "--redis", "redis://10.0.0.5:6379"], {})).toMatchObject({
      options: { allowedOrigins: ["https://a.example", "http://localhost:8080"], redis: "redis://10.0.0.5:6379" },
    });
  });

  it.each([
    [["serve", "--port", "70000"], '--port must be a whole number from 0 to 65535 (got "70000")'],
    [["serve", "--allowed-origins", "example.com"], '--allowed-origins must be "*" or origins separated by commas'],
    [["serve", "--redis", "http://x"], "--redis must be a Redis URL such as redis://127.0.0.1:6379"],
    [["serve", "--host", "a b"], "--host must be a host name or IP address"],
    [["serve", "extra"], 'unexpected argument "extra"'],
    [["serve", "--path", "/x"], "unknown option --path (allowed: --port, --host, --allowed-origins, --redis, --help)"],
  ])("refuses %j: %s", (argv, message) => {
    expect(refusal(argv)).toContain(message);
  });

  it("names a bad PORT environment variable", () => {
    expect(refusal(["serve"], { PORT: "http" })).toContain('the PORT environment variable must be a whole number from 0 to 65535 (got "http")');
  });
});
