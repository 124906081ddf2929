// Element tests in two engines, Debian's Chromium (CHROME_PATH overrides) and Debian's Firefox ESR
// (FIREFOX_PATH overrides; puppeteer-core drives it over WebDriver BiDi), against real servers the
// tests start. Neither browser is downloaded: puppeteer-core only, pointed at the installed binaries.
import { chromeLauncher, puppeteerCore } from "@web/test-runner-chrome";
import { esbuildPlugin } from "@web/dev-server-esbuild";
import { echoServersPlugin } from "./test/support/echo-servers.mjs";
import { hostileServersPlugin } from "./test/element/hostile-servers.mjs";

const chromiumPath = process.env.CHROME_PATH ?? "/usr/bin/chromium";
const firefoxPath = process.env.FIREFOX_PATH ?? "/usr/bin/firefox-esr";

export default {
  files: "test/element/**/*_test.ts",
  // The browser builds: socket.io-client and engine.io-client without the `debug` module.
  nodeResolve: { browser: true, exportConditions: ["browser", "production"] },
  // One test file at a time per browser, and one browser at a time: the files start real servers,
  // child processes and a Redis + nginx deployment on two cores, and some restart a server on the
  // port it had (a free port of the moment that the other browser's servers could take meanwhile).
  concurrency: 1,
  concurrentBrowsers: 1,
  // Fail rather than hang if the browser or a test file stalls (seen once on a loaded machine).
  browserStartTimeout: 60_000,
  testsStartTimeout: 60_000,
  testsFinishTimeout: 120_000,
  // A test's timeout only stops a hang: its waits end on events (a loaded machine is slow, not wrong).
  testFramework: { config: { timeout: 30_000 } },
  plugins: [esbuildPlugin({ ts: true, tsconfig: "tsconfig.json" }), echoServersPlugin(), hostileServersPlugin()],
  // Tests that meet a difference between the engines say so (`engine` in test/element/helpers.ts).
  browsers: [
    // Reported as "Chrome"; it is Debian's Chromium.
    chromeLauncher({
      launchOptions: {
        executablePath: chromiumPath,
        headless: true,
        args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
      },
    }),
    // Reported as "Firefox". With `puppeteer` given, the launcher passes these options to that
    // puppeteer's launch(): puppeteer-core, which starts this binary and speaks WebDriver BiDi to it.
    chromeLauncher({
      puppeteer: puppeteerCore,
      launchOptions: {
        browser: "firefox",
        executablePath: firefoxPath,
        headless: true,
      },
    }),
  ],
};
