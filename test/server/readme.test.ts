// The README cannot drift from the code: every option with its default, every stats() field, every
// exported name and every environment variable the demo and CLI read is documented, and agrees.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { StatsCounter } from "../../server/state/stats.js";
import { ATTACH_DEFAULTS, ROUTER_DEFAULTS } from "../../server/index.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const README = readFileSync(path.join(ROOT, "README.md"), "utf8");

/** The README between two headings (the first line that starts with each). */
function section(from: string, to: string): string {
  const start = README.indexOf(`\n${from}`);
  const end = README.indexOf(`\n${to}`, start + 1);
  expect(start, from).toBeGreaterThan(-1);
  expect(end, to).toBeGreaterThan(start);
  return README.slice(start, end);
}

/** How a default is written in the README: strings quoted, numbers and booleans as they are. */
function written(value: unknown): string | undefined {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined; // functions and objects are described in words
}

/**
 * The defaults the README gives `key` in `text`: from its own `#### \`key\`` heading ("default `x`"
 * in the paragraph below it) and from table rows whose first cell names it ("| `key` | `x` |", or
 * "| `a`, `key` | `1`, `x` |": every `code` of the second cell counts). Throws when it is not documented.
 */
function documentedDefaults(text: string, key: string): string[] {
  const headings = [...text.matchAll(new RegExp(`^#### \`${key}\`\\n([^\\n]+)`, "gm"))].map((m) => m[1]!);
  const rows = text
    .split("\n")
    .filter((line) => line.startsWith("| "))
    .map((line) => line.slice(2).split(" | "))
    .filter((cells) => cells.length >= 3 && cells[0]!.split(", ").includes(`\`${key}\``));
  if (headings.length + rows.length === 0) throw new Error(`\`${key}\` is not documented`);
  return [
    ...headings.flatMap((line) => /default `([^`]+)`/.exec(line)?.[1] ?? []),
    ...rows.flatMap((cells) => [...cells[1]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!)),
  ];
}

function checkDefaults(text: string, defaults: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(defaults)) {
    const documented = documentedDefaults(text, key);
    const expected = written(value);
    if (expected !== undefined) expect(documented, key).toContain(expected);
  }
}

/** `README` contains `text` (without printing the whole README when it does not). */
function expectMentioned(text: string, what: string): void {
  expect(README.includes(text), `the README does not mention ${text} (${what})`).toBe(true);
}

function sourceFiles(folder: string): string[] {
  return readdirSync(path.join(ROOT, folder)).flatMap((name) => {
    const relative = path.join(folder, name);
    if (statSync(path.join(ROOT, relative)).isDirectory()) return sourceFiles(relative);
    return name.endsWith(".ts") ? [relative] : [];
  });
}

describe("the README", () => {
  it("documents every attachEchoSocket() option with its default", () => {
    const text = section("### `attachEchoSocket(", "### `echoSocketRouter(") + section("## Security", "## Performance");
    checkDefaults(text, ATTACH_DEFAULTS);
    expect(text).toContain("#### `serverOptions`");
  });

  it("documents every echoSocketRouter() option with its default", () => {
    checkDefaults(section("### `echoSocketRouter(", "## Delivery guarantees"), ROUTER_DEFAULTS);
  });

  it("documents every EchoClient option with its default", async () => {
    const { CLIENT_DEFAULTS } = await import("../../client/index.js");
    const text = section("## Client", "## Development");
    checkDefaults(text, CLIENT_DEFAULTS);
    for (const key of ["url", "storage"]) documentedDefaults(text, key);
  });

  it("lists every stats() field and every refusal code of refusals()", () => {
    const stats = /^\| `stats\(\)` \| `\{ ([^}]+) \}`/m.exec(README);
    expect(stats, "the stats() row").not.toBeNull();
    expect(stats![1]!.split(", ").sort()).toEqual(Object.keys(new StatsCounter().snapshot()).sort());
    const refusals = /^\| `refusals\(\)` \| `\{ ([^}]+) \}`/m.exec(README);
    expect(refusals![1]!.split(", ").sort()).toEqual(Object.keys(new StatsCounter().refusedByCode).sort());
  });

  it("names every export of each entry point", () => {
    for (const entry of ["server/index.ts", "client/index.ts", "element/define.ts"]) {
      let source: string;
      try {
        source = readFileSync(path.join(ROOT, entry), "utf8");
      } catch {
        continue; // an entry point not there yet
      }
      const names = [...source.matchAll(/export\s+(?:type\s+)?\{([^}]+)\}/g)]
        .flatMap((m) => m[1]!.split(","))
        .map(
          (name) =>
            name
              .trim()
              .replace(/^type\s+/, "")
              .split(/\s+as\s+/)
              .pop()!,
        )
        .filter(Boolean);
      const declared = [...source.matchAll(/export\s+(?:async\s+)?(?:function|class|const|interface|type)\s+(\w+)/g)].map((m) => m[1]!);
      for (const name of [...names, ...declared]) expectMentioned(`\`${name}`, `exported by ${entry}`);
    }
  });

  it("names every environment variable the demo and the CLI read", () => {
    const files = [...sourceFiles("demo"), ...(statSync(path.join(ROOT, "cli"), { throwIfNoEntry: false }) ? sourceFiles("cli") : [])];
    const variables = new Set(files.flatMap((file) => [...readFileSync(path.join(ROOT, file), "utf8").matchAll(/process\.env\.([A-Z_]+)/g)].map((m) => m[1]!)));
    expect(variables.size).toBeGreaterThan(3);
    for (const variable of variables) expectMentioned(`\`${variable}`, "an environment variable");
  });
});
