// The source tree's shape: no import cycles, protocol/ depends on nothing of ours, and the wire
// contract (event names, the envelope key, the reserved events, the refusal codes) is spelled out in
// protocol/ only.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DELIVERY_KEY, ERROR_EVENT, READY_EVENT, REFUSAL_CODES, RESERVED_EVENTS } from "../../protocol/index.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const SOURCE_FOLDERS = ["protocol", "server", "client", "element", "cli", "demo"];

function sourceFiles(folder: string): string[] {
  const dir = path.join(ROOT, folder);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return []; // a folder not there yet has no files
  }
  return names.flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(path.relative(ROOT, full));
    return name.endsWith(".ts") ? [full] : [];
  });
}

/** Relative imports (type-only ones too: a cycle of types is still a cycle to read). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)\.js"/g)].map((m) => path.resolve(path.dirname(file), `${m[1]}.ts`));
}

const files = SOURCE_FOLDERS.flatMap(sourceFiles);
const graph = new Map(files.map((file) => [file, importsOf(file)]));

describe("the source tree", () => {
  it("has source to check, and every relative import names a file that exists", () => {
    expect(files.length).toBeGreaterThan(40);
    for (const [file, imports] of graph)
      for (const target of imports) expect(graph.has(target), `${path.relative(ROOT, file)} imports ${path.relative(ROOT, target)}`).toBe(true);
  });

  it("has no import cycles", () => {
    const cycles: string[] = [];
    const state = new Map<string, "visiting" | "done">();
    const visit = (file: string, trail: string[]): void => {
      if (state.get(file) === "done") return;
      if (state.get(file) === "visiting") {
        cycles.push([...trail.slice(trail.indexOf(file)), file].map((f) => path.relative(ROOT, f)).join(" -> "));
        return;
      }
      state.set(file, "visiting");
      for (const target of graph.get(file) ?? []) visit(target, [...trail, file]);
      state.set(file, "done");
    };
    for (const file of files) visit(file, []);
    expect(cycles).toEqual([]);
  });

  it("keeps protocol/ free of imports from the rest of the project", () => {
    for (const file of sourceFiles("protocol")) {
      for (const target of graph.get(file)!) expect(path.relative(path.join(ROOT, "protocol"), target).startsWith(".."), path.relative(ROOT, file)).toBe(false);
    }
  });

  it("spells the event names and the envelope key in protocol/ only", () => {
    const outside = files.filter((file) => !file.startsWith(path.join(ROOT, "protocol")));
    for (const literal of [READY_EVENT, ERROR_EVENT, DELIVERY_KEY]) {
      const found = outside.filter((file) => readFileSync(file, "utf8").includes(literal)).map((file) => path.relative(ROOT, file));
      expect(found, literal).toEqual([]);
    }
  });

  it("lists the reserved events in protocol/ only", () => {
    // socket.io's own names that nothing but a list of reserved events quotes (connection code quotes
    // "connect" or "connect_error" to listen for them): two in one file are a second list.
    const distinctive = RESERVED_EVENTS.filter((name) => ["connect_error", "disconnecting", "newListener", "removeListener"].includes(name));
    expect(distinctive).toHaveLength(4);
    const found = outsideProtocol().filter((file) => distinctive.filter((name) => readFileSync(file, "utf8").includes(`"${name}"`)).length >= 2);
    expect(found.map((file) => path.relative(ROOT, file))).toEqual([]);
  });

  it("lists the refusal codes in protocol/ only, and compares the wire's codes through its constants", () => {
    const code = `(?:${REFUSAL_CODES.join("|")})`;
    const redeclared = [
      new RegExp(`"${code}"\\s*[|,]\\s*"${code}"`), // a union type or an array of codes
      new RegExp(`\\b${code}:\\s*\\d`), // a counter by code, written out
    ];
    const found = outsideProtocol().flatMap((file) => {
      const text = readFileSync(file, "utf8");
      return redeclared.filter((pattern) => pattern.test(text)).map((pattern) => `${path.relative(ROOT, file)}: ${pattern}`);
    });
    expect(found).toEqual([]);
    // A code arrives from the wire untyped: compared with a literal, a typo would pass the compiler.
    const compared = new RegExp(`[!=]==\\s*"${code}"|"${code}"\\s*[!=]==`);
    const wireSide = files.filter((file) => ["client", "element"].some((folder) => file.startsWith(path.join(ROOT, folder) + path.sep)));
    expect(wireSide.length).toBeGreaterThan(10);
    expect(wireSide.filter((file) => compared.test(readFileSync(file, "utf8"))).map((file) => path.relative(ROOT, file))).toEqual([]);
  });
});

function outsideProtocol(): string[] {
  return files.filter((file) => !file.startsWith(path.join(ROOT, "protocol") + path.sep));
}
