// What each kind of user downloads: installs the packed tarball into empty folders, one per use, and
// prints echo-socket's unpacked size and each node_modules' size and package count (README, "Install").
//   node bench/install-sizes.mjs [echo-socket-x.y.z.tgz]   (without one: `npm pack` of this checkout)
import { execFileSync } from "node:child_process";
import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export const INSTALLS = [
  ["server", ["socket.io", "express"]],
  ["element through a bundler", ["lit", "socket.io-client"]],
  ["client in Node", ["socket.io-client"]],
  ["echo-socket alone", []],
];

/** Bytes of the files under `dir` (apparent sizes, symlinks not followed). */
export function bytesUnder(dir) {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += bytesUnder(full);
    else total += lstatSync(full).size;
  }
  return total;
}

/** Installs `tarball` and `extra` into a new folder; its node_modules' bytes and packages. */
export function measureInstall(tarball, extra) {
  const dir = mkdtempSync(path.join(tmpdir(), "echo-socket-install-"));
  try {
    writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "install-size", version: "1.0.0", private: true }));
    execFileSync("npm", ["install", tarball, ...extra, "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: dir, stdio: "ignore" });
    const lock = JSON.parse(readFileSync(path.join(dir, "node_modules/.package-lock.json"), "utf8"));
    const packages = Object.keys(lock.packages).filter((key) => key.startsWith("node_modules/"));
    const has = (name) => packages.includes(`node_modules/${name}`);
    return {
      bytes: bytesUnder(path.join(dir, "node_modules")),
      packages: packages.length,
      echoSocketBytes: bytesUnder(path.join(dir, "node_modules/echo-socket")),
      present: ["lit", "socket.io-client", "socket.io", "express", "rate-limiter-flexible"].filter(has),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const mb = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;

if (import.meta.url === `file://${process.argv[1]}`) {
  let tarball = process.argv[2] && path.resolve(process.argv[2]);
  const packDir = tarball ? undefined : mkdtempSync(path.join(tmpdir(), "echo-socket-pack-"));
  if (!tarball) {
    // Packs the built dist/ as it is (run `npm run build` first): prepack's build would print into the JSON.
    const [{ filename }] = JSON.parse(
      execFileSync("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", packDir], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }),
    );
    tarball = path.join(packDir, filename);
  }
  console.log("| install | node_modules | packages | echo-socket unpacked | of lit, socket.io-client, socket.io, express, rate-limiter-flexible |");
  console.log("| --- | --- | --- | --- | --- |");
  for (const [name, extra] of INSTALLS) {
    const m = measureInstall(tarball, extra);
    console.log(
      `| ${name}: \`npm install echo-socket${extra.map((e) => ` ${e}`).join("")}\` | ${mb(m.bytes)} (${m.bytes} bytes) | ${m.packages} | ${mb(m.echoSocketBytes)} | ${m.present.join(", ") || "none"} |`,
    );
  }
  if (packDir) rmSync(packDir, { recursive: true, force: true });
}
