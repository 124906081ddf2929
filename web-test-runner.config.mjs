// Element tests in real Chromium (Debian's; CHROME_PATH overrides), against real servers the tests start.
import { chromeLauncher } from "@web/test-runner-chrome";
import { esbuildPlugin } from "@web/dev-server-esbuild";
import { echoServersPlugin } from "./test/support/echo-servers.mjs";
import { hostileServersPlugin } from "./test/element/hostile-servers.mjs";

const executablePath = process.env.CHROME_PATH ?? "/usr/bin/chromium";

export default {
  files: "test/element/**/*_test.ts",
  // The browser builds: socket.io-client and engine.io-client without the `debug` module.
  nodeResolve: { browser: true, exportConditions: ["browser", "production"] },
  concurrency: 1,
  // Fail rather than hang if the browser or a test file stalls (seen once on a loaded machine).
  browserStartTimeout: 60_000,
  testsStartTimeout: 60_000,
  testsFinishTimeout: 120_000,
  // A test's timeout only stops a hang: its waits end on events (a loaded machine is slow, not wrong).
  testFramework: { config: { timeout: 30_000 } },
  plugins: [esbuildPlugin({ ts: true, tsconfig: "tsconfig.json" }), echoServersPlugin(), hostileServersPlugin()],
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath,
        headless: true,
        args: [
          "--no-sandbox",
          "--disable-gpu",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
          "--no-first-run",
        ],
      },
    }),
  ],
};
