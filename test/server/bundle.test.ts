// The standalone element as built by `npm run build`: sizes are deterministic, so a budget is a plain assertion.
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";

const BUDGET_BYTES = 23.5 * 1024; // 23,786 bytes at the last measure (npm run build prints it); the goal is 22 KB
const bundle = readFileSync(new URL("../../dist/echo-socket.js", import.meta.url));

describe("dist/echo-socket.js", () => {
  it(`stays within its ${BUDGET_BYTES / 1024} KB gzip budget`, () => {
    const gzipped = gzipSync(bundle, { level: 9 }).length;
    expect(gzipped).toBeLessThanOrEqual(BUDGET_BYTES);
  });

  it("is the size the README says", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const stated = /Lit and socket\.io-client inside, ([\d.]+) KB gzip/.exec(readme)?.[1];
    expect(stated).toBe((gzipSync(bundle, { level: 9 }).length / 1024).toFixed(1));
  });

  it("runs as a classic script as well as a module: no import, export or import.meta", () => {
    const source = bundle.toString("utf8");
    expect(source).not.toMatch(/\bimport\.meta\b|^\s*(import|export)\s/m);
    // A classic script fails to parse if it holds module syntax; compiling it as a function body checks that.
    expect(() => new Function(source)).not.toThrow();
  });

  it("loads its composer and chart on demand: echo-socket-extras.js, a module with no imports (it uses the element's Lit)", () => {
    const extras = readFileSync(new URL("../../dist/echo-socket-extras.js", import.meta.url), "utf8");
    expect(bundle.toString("utf8")).toContain('import(new URL("echo-socket-extras.js",');
    expect(extras).not.toMatch(/^\s*import\s|\bfrom\s*["']/m);
    expect(extras).toMatch(/\bexport\s*\{/);
    expect(gzipSync(extras, { level: 9 }).length).toBeLessThan(4 * 1024);
  });

  it("holds socket.io-client's browser build, without the debug module", () => {
    const source = bundle.toString("utf8");
    expect(source).toContain("echo-socket");
    expect(source).not.toMatch(/localStorage\.debug|process\.env\.DEBUG/);
  });
});
