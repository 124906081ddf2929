// Run by `npm test` before anything else: the browsers (Chromium and Firefox ESR), Redis and nginx
// binaries the tests start.
// Missing ones are installed with Debian's apt-get when this machine can (root, or sudo without a
// password); otherwise the run stops at once with one line saying what is missing and how to get it,
// rather than failing tests half-way. `.ci/run` runs `npm test` and relies on this.
import { execFileSync, spawnSync } from "node:child_process";
import { accessSync, constants, existsSync } from "node:fs";

const executable = (file) => {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};
const onPath = (name) => spawnSync("sh", ["-c", `command -v ${name}`], { stdio: "ignore" }).status === 0;

/** Each tool the tests start: how to find it, and the Debian package that provides it. */
const TOOLS = [
  { what: "Chromium (element tests)", found: () => executable(process.env.CHROME_PATH ?? "/usr/bin/chromium"), pkg: "chromium", env: "CHROME_PATH" },
  { what: "Firefox ESR (element tests)", found: () => executable(process.env.FIREFOX_PATH ?? "/usr/bin/firefox-esr"), pkg: "firefox-esr", env: "FIREFOX_PATH" },
  {
    what: "redis-server (scale-out tests)",
    found: () => (process.env.REDIS_SERVER_PATH ? executable(process.env.REDIS_SERVER_PATH) : onPath("redis-server")),
    pkg: "redis-server",
    env: "REDIS_SERVER_PATH",
  },
  {
    what: "nginx (scale-out and check tests)",
    found: () => (process.env.NGINX_PATH ? executable(process.env.NGINX_PATH) : existsSync("/usr/sbin/nginx") || onPath("nginx")),
    pkg: "nginx",
    env: "NGINX_PATH",
  },
];

const missing = TOOLS.filter((tool) => !tool.found());
if (missing.length === 0) process.exit(0);
// A path given by hand that is wrong is not fixed by installing a package.
const wrongPath = missing.find((tool) => process.env[tool.env]);
if (wrongPath) {
  console.error(`npm test: ${wrongPath.env}=${process.env[wrongPath.env]} is not an executable (${wrongPath.what})`);
  process.exit(1);
}

const packages = missing.map((tool) => tool.pkg);
const isRoot = process.getuid?.() === 0;
const canSudo = !isRoot && onPath("sudo") && spawnSync("sudo", ["-n", "true"], { stdio: "ignore" }).status === 0;
if (onPath("apt-get") && (isRoot || canSudo)) {
  console.log(`npm test: installing ${packages.join(", ")} with apt-get (missing: ${missing.map((tool) => tool.what).join("; ")})`);
  const run = (args) => {
    const [command, ...rest] = isRoot ? args : ["sudo", "-n", ...args];
    execFileSync(command, rest, { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  };
  run(["apt-get", "update", "-qq"]);
  run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", ...packages]);
  const still = missing.filter((tool) => !tool.found());
  if (still.length === 0) process.exit(0);
  console.error(`npm test: still missing after apt-get: ${still.map((tool) => tool.what).join("; ")}`);
  process.exit(1);
}
console.error(
  `npm test needs ${missing.map((tool) => tool.what).join(", ")}: install with \`sudo apt-get install -y ${packages.join(" ")}\`` +
    ` (or set ${missing.map((tool) => tool.env).join(" / ")} to the binary)`,
);
process.exit(1);
